#include "segmenta/project.h"

#include <gtest/gtest.h>

namespace segmenta {
namespace {

Result<Project> Parse(const std::string& text) { return ParseProject(text, "/p/segmenta.toml"); }

std::string ErrorOf(const std::string& text) {
  Result<Project> project = Parse(text);
  EXPECT_FALSE(project.ok()) << "expected an error for:\n" << text;
  EXPECT_EQ(project.ok() ? StatusCode::kOk : project.status().code(), StatusCode::kInvalidArgument);
  return project.ok() ? "" : project.status().message();
}

constexpr const char* kValid = R"(
[workspace]
as_of = "2026-11-01"

[sources.orders]
file = "data/orders.csv"
kind = "events"
customer = "CustomerID"
time = "InvoiceDate"
amount = "Quantity * UnitPrice"
order_id = "InvoiceNo"
type = "purchase"
delimiter = ";"

[sources.people]
file = "/abs/people.parquet"
kind = "customers"
id = "customer_id"
attributes = { age = "demographic:number", email = "contact:text",
               town = { column = "City", role = "geographic", type = "category" } }

[[segmentation]]
name = "behaviour"
method = "kmeans"
features = ["recency_days", "frequency"]
k = "auto"

[[segmentation]]
name = "campaigns"
method = "rules"
rules = { "Win-back" = "recency_days > 180" }

[features]
top_categories = 3
holidays = ["12-20..01-06"]

[privacy]
min_group_size = 25
)";

TEST(ProjectTest, ParsesEverySection) {
  Result<Project> project = Parse(kValid);
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  EXPECT_EQ(project->workspace, "/p/.segmenta");
  EXPECT_EQ(project->features.as_of.value_or(""), "2026-11-01");
  ASSERT_EQ(project->sources.size(), 2u);
  const SourceConfig& people = project->sources[0];  // customers sources come first
  EXPECT_EQ(people.name, "people");
  EXPECT_EQ(people.format, SourceFormat::kParquet);
  ASSERT_EQ(people.attributes.size(), 3u);
  EXPECT_EQ(people.attributes[2].name, "town");
  EXPECT_EQ(people.attributes[2].column, "City");
  EXPECT_EQ(people.attributes[2].role, AttributeRole::kGeographic);
  const SourceConfig& orders = project->sources[1];
  EXPECT_EQ(orders.file, "/p/data/orders.csv");
  EXPECT_EQ(orders.csv.delimiter.value_or('?'), ';');
  EXPECT_EQ(orders.amount, "Quantity * UnitPrice");
  EXPECT_EQ(orders.line, 5);
  ASSERT_EQ(project->segmentations.size(), 2u);
  EXPECT_EQ(project->segmentations[0].k, "auto");
  EXPECT_EQ(project->segmentations[1].rules[0].first, "Win-back");
  EXPECT_EQ(project->features.top_categories, 3);
  EXPECT_EQ(project->features.holidays[0].start_month, 12);
  EXPECT_EQ(project->features.holidays[0].end_day, 6);
  EXPECT_EQ(project->min_group_size, 25);
}

TEST(ProjectTest, UnknownKeyNamesFileLineKeyAndClosestValidKey) {
  std::string message = ErrorOf(R"(
[sources.orders]
file = "o.csv"
kind = "events"
customer = "c"
time = "t"
type = "purchase"
amout = "x"
)");
  EXPECT_NE(message.find("/p/segmenta.toml:8: key 'sources.orders.amout': unknown key; "
                         "did you mean 'amount'?"),
            std::string::npos)
      << message;
}

TEST(ProjectTest, WrongValuesSayWhatIsValid) {
  EXPECT_NE(ErrorOf("[sources.o]\nfile = \"o.csv\"\nkind = \"event\"\n")
                .find("'event' is not valid; use one of 'customers', 'events', 'spend' (did you mean "
                      "'events'?)"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[privacy]\nmin_group_size = \"ten\"\n")
                .find("segmenta.toml:2: key 'privacy.min_group_size': expected a whole number"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[sources.c]\nfile = \"c.csv\"\nkind = \"customers\"\nid = \"id\"\n"
                    "attributes = { age = \"demografic:number\" }\n")
                .find("did you mean 'demographic'?"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[sources.o]\nfile = \"o.csv\"\nkind = \"events\"\ncustomer = \"c\"\n")
                .find("key 'sources.o.time': is required"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[sources.o]\nfile = \"o.csv\"\nkind = \"events\"\ncustomer = \"c\"\n"
                    "time = \"t\"\n")
                .find("give exactly one of type"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[workspace]\nas_of = \"01/02/2026\"\n").find("write \"YYYY-MM-DD\""),
            std::string::npos);
  EXPECT_NE(ErrorOf("[[segmentation]]\nname = \"x\"\nmethod = \"kmean\"\n")
                .find("did you mean 'kmeans'?"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[segmentations]\n").find("did you mean 'segmentation'?"), std::string::npos);
  EXPECT_NE(ErrorOf("[workspace]\nmemory_limit = \"lots\"\n").find("write e.g. \"2GB\""),
            std::string::npos);
  EXPECT_NE(ErrorOf("[features]\nholidays = [\"Nov 15 - Dec 31\"]\n").find("\"MM-DD..MM-DD\""),
            std::string::npos);
}

TEST(ProjectTest, TomlSyntaxErrorsCarryTheLine) {
  std::string message = ErrorOf("[workspace]\nas_of = 2026-11-01x\n");
  EXPECT_EQ(message.rfind("/p/segmenta.toml:2:", 0), 0u) << message;
}

TEST(ProjectTest, MissingProjectFileSuggestsInit) {
  Result<Project> project = LoadProject("/nonexistent/dir/segmenta.toml");
  ASSERT_FALSE(project.ok());
  EXPECT_NE(project.status().message().find("segmenta init"), std::string::npos);
}

TEST(ProjectTest, ClosestMatch) {
  EXPECT_EQ(ClosestMatch("amout", {"amount", "order_id"}), "amount");
  EXPECT_EQ(ClosestMatch("zzzzzz", {"amount", "order_id"}), "");
}

}  // namespace
}  // namespace segmenta
