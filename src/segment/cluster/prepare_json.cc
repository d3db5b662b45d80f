// PreparationModel as JSON (cluster_prepare.h): what a segmentation's model stores so
// that a later run prepares new customers exactly as this one did.
#include <nlohmann/json.hpp>
#include <string>

#include "segmenta/cluster_prepare.h"

namespace segmenta {
namespace {

using json = nlohmann::json;

constexpr int kModelVersion = 1;

// ---- model JSON ----------------------------------------------------------------------

json ReportJson(const ColumnReport& report) {
  return {{"rows", report.rows},
          {"imputed", report.imputed},
          {"imputed_share", report.imputed_share},
          {"clamped", report.clamped},
          {"unseen", report.unseen}};
}

ColumnReport ReportFromJson(const json& value) {
  ColumnReport report;
  report.rows = value.at("rows").get<size_t>();
  report.imputed = value.at("imputed").get<size_t>();
  report.imputed_share = value.at("imputed_share").get<double>();
  report.clamped = value.at("clamped").get<size_t>();
  report.unseen = value.at("unseen").get<size_t>();
  return report;
}

json NumericJson(const NumericFeatureModel& model) {
  return {{"name", model.name},
          {"transform", ToString(model.transform)},
          {"scaling", ToString(model.scaling)},
          {"weight", model.weight},
          {"impute", model.impute},
          {"center", model.center},
          {"scale", model.scale},
          {"degenerate", model.degenerate},
          {"fit", ReportJson(model.fit)}};
}

json CategoricalJson(const CategoricalFeatureModel& model) {
  return {{"name", model.name},
          {"levels", model.levels},
          {"impute", model.impute},
          {"fit", ReportJson(model.fit)}};
}

Result<NumericFeatureModel> NumericFromJson(const json& value) {
  NumericFeatureModel model;
  model.name = value.at("name").get<std::string>();
  SEG_ASSIGN_OR_RETURN(model.transform,
                       ParseNumericTransform(value.at("transform").get<std::string>()));
  SEG_ASSIGN_OR_RETURN(model.scaling, ParseScaling(value.at("scaling").get<std::string>()));
  model.weight = value.at("weight").get<double>();
  model.impute = value.at("impute").get<double>();
  model.center = value.at("center").get<double>();
  model.scale = value.at("scale").get<double>();
  model.degenerate = value.at("degenerate").get<bool>();
  model.fit = ReportFromJson(value.at("fit"));
  bool usable = model.weight > 0 && std::isfinite(model.weight) && model.scale > 0 &&
                std::isfinite(model.scale) && std::isfinite(model.center) &&
                std::isfinite(model.impute);
  if (!usable) return Status::InvalidArgument("model of '" + model.name + "' is not usable");
  return model;
}

Result<CategoricalFeatureModel> CategoricalFromJson(const json& value) {
  CategoricalFeatureModel model;
  model.name = value.at("name").get<std::string>();
  model.levels = value.at("levels").get<std::vector<std::string>>();
  model.impute = value.at("impute").get<int32_t>();
  model.fit = ReportFromJson(value.at("fit"));
  if (model.impute < 0 || static_cast<size_t>(model.impute) >= model.levels.size()) {
    return Status::InvalidArgument("model of '" + model.name + "' imputes an unknown level");
  }
  return model;
}

Result<PreparationModel> ModelFromJson(const json& value) {
  if (value.at("version").get<int>() != kModelVersion) {
    return Status::InvalidArgument("preparation model: unsupported version");
  }
  PreparationModel model;
  SEG_ASSIGN_OR_RETURN(model.encoding,
                       ParseCategoricalEncoding(value.at("encoding").get<std::string>()));
  model.one_hot_scale = value.at("one_hot_scale").get<double>();
  for (const json& feature : value.at("numeric")) {
    SEG_ASSIGN_OR_RETURN(NumericFeatureModel numeric, NumericFromJson(feature));
    model.numeric.push_back(std::move(numeric));
  }
  for (const json& feature : value.at("categorical")) {
    SEG_ASSIGN_OR_RETURN(CategoricalFeatureModel categorical, CategoricalFromJson(feature));
    model.categorical.push_back(std::move(categorical));
  }
  return model;
}

}  // namespace

json PreparationModel::ToJson() const {
  json numeric_json = json::array(), categorical_json = json::array();
  for (const NumericFeatureModel& feature : numeric) numeric_json.push_back(NumericJson(feature));
  for (const CategoricalFeatureModel& feature : categorical) {
    categorical_json.push_back(CategoricalJson(feature));
  }
  return {{"version", kModelVersion},
          {"encoding", ToString(encoding)},
          {"one_hot_scale", one_hot_scale},
          {"numeric", std::move(numeric_json)},
          {"categorical", std::move(categorical_json)}};
}

Result<PreparationModel> PreparationModel::FromJson(const json& value) {
  try {
    return ModelFromJson(value);
  } catch (const json::exception& error) {
    return Status::InvalidArgument(std::string("preparation model: ") + error.what());
  }
}

}  // namespace segmenta
