#include "demo/customer_gen.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <span>

#include "demo/calendar.h"
#include "demo/format.h"
#include "demo/tables.h"

namespace segmenta::demo_internal {
namespace {

constexpr size_t kMaxCustomerLine = 512;

// Interests that go with each product category (by kInterests index).
constexpr std::array<std::array<int, 2>, kCategoryCount> kCategoryInterests = {{
    {3, 5},    // electronics: technology, gaming
    {2, 0},    // fashion: fashion, sports
    {10, 4},   // home: home_decor, cooking
    {11, 2},   // beauty: beauty, fashion
    {9, 8},    // sports: fitness, outdoors
    {6, 14},   // books: reading, movies
    {4, 13},   // grocery: cooking, pets
    {12, 14},  // toys: parenting, movies
}};

// Favourite lifestyle (kLifestyles index) per behaviour type, in enum order.
constexpr std::array<std::array<int, 2>, kBehaviourCount> kBehaviourLifestyles = {{
    {0, 7},  // champion: urban_professional, trendsetter
    {1, 6},  // loyal_regular: family_oriented, homebody
    {2, 4},  // bargain_hunter: budget_conscious, tech_savvy
    {1, 2},  // holiday_shopper: family_oriented, budget_conscious
    {4, 3},  // new_customer: tech_savvy, health_enthusiast
    {6, 2},  // lapsed: homebody, budget_conscious
    {7, 4},  // browser: trendsetter, tech_savvy
}};

template <typename Item, typename WeightOf>
const Item& PickWeighted(std::span<const Item> items, WeightOf weight_of, Rng& rng) {
  double total = 0;
  for (const Item& item : items) total += weight_of(item);
  double target = rng.Uniform() * total;
  for (const Item& item : items) {
    target -= weight_of(item);
    if (target < 0) return item;
  }
  return items.back();
}

char* PutField(char* out, std::string_view value) {
  out = PutText(out, value);
  *out++ = ',';
  return out;
}

// "ion.popescu123@example.com" and a few other common patterns.
char* PutEmail(char* out, const Country& country, int gender, int age, Rng& rng) {
  const bool female = gender == 0 || (gender == 2 && rng.Bernoulli(0.5));
  const std::span<const std::string_view> given_names =
      female ? country.female_names : country.male_names;
  const std::string_view given = given_names[rng.UniformInt(given_names.size())];
  const std::string_view surname = country.surnames[rng.UniformInt(country.surnames.size())];
  const int64_t number =
      rng.Bernoulli(0.3) && age > 0 ? (2026 - age) % 100 : rng.UniformInt(1, 999);
  switch (rng.UniformInt(5)) {
    case 0:
      out = PutText(PutText(PutText(out, given), "_"), surname);
      break;
    case 1:
      out = PutText(PutText(out, given.substr(0, 1)), surname);
      break;
    case 2:
      out = PutText(PutText(PutText(out, surname), "."), given);
      break;
    default:
      out = PutText(PutText(PutText(out, given), "."), surname);
      break;
  }
  if (rng.Bernoulli(0.85)) out = PutPadded(out, number, 2);
  *out++ = '@';
  constexpr double kDomainWeights[] = {5, 2, 2, 1};
  out = PutText(out, kEmailDomains[rng.Pick(kDomainWeights)]);
  *out++ = ',';
  return out;
}

int DrawAge(const BehaviourProfile& profile, Rng& rng) {
  return static_cast<int>(std::clamp(std::round(rng.Normal(profile.age_mean, 12)), 18.0, 85.0));
}

int DrawIncomeBand(const BehaviourProfile& profile, int age, Rng& rng) {
  const double age_effect = age < 25 ? -1.0 : (age > 67 ? -0.5 : 0.0);
  const double mean = 1.8 + 0.6 * profile.income_shift + age_effect;
  return static_cast<int>(std::clamp(std::round(rng.Normal(mean, 1.1)), 0.0, 5.0));
}

int DrawOccupation(int age, int income_band, Rng& rng) {
  if (age < 24 && rng.Bernoulli(0.6)) return 0;   // student
  if (age > 64 && rng.Bernoulli(0.75)) return 6;  // retired
  std::array<double, kOccupations.size()> weights = {0.02, 45, 15, 10, 10, 12, 0, 6};
  weights[3] += 6.0 * income_band;  // higher income: more managers
  weights[7] = income_band == 0 ? 20 : 3;
  return rng.Pick(weights);
}

char* PutInterests(char* out, const BehaviourProfile& profile, Rng& rng) {
  std::array<double, kInterests.size()> weights;
  weights.fill(1.0);
  for (int category_idx = 0; category_idx < kCategoryCount; ++category_idx) {
    for (int interest_idx : kCategoryInterests[category_idx]) {
      weights[interest_idx] += 1.5 * profile.category_weights[category_idx];
    }
  }
  const int64_t count = rng.Bernoulli(0.06) ? 0 : rng.UniformInt(1, 4);
  for (int64_t pick_idx = 0; pick_idx < count; ++pick_idx) {
    const int interest_idx = rng.Pick(weights);
    weights[interest_idx] = 0;
    if (pick_idx > 0) *out++ = ';';
    out = PutText(out, kInterests[interest_idx]);
  }
  *out++ = ',';
  return out;
}

int DrawLifestyle(Behaviour behaviour, Rng& rng) {
  std::array<double, kLifestyles.size()> weights;
  weights.fill(1.0);
  const auto& favourites = kBehaviourLifestyles[static_cast<int>(behaviour)];
  weights[favourites[0]] += 5;
  weights[favourites[1]] += 2.5;
  return rng.Pick(weights);
}

int DrawSignupDay(const CustomerPlan& plan, Rng& rng) {
  if (plan.behaviour == Behaviour::kNewCustomer) {
    return plan.first_day - static_cast<int>(rng.UniformInt(0, 5));
  }
  return plan.first_day - static_cast<int>(rng.UniformInt(0, 1200));
}

// Everything drawn for one customer, in a fixed draw order; -1 marks an empty field.
struct Attributes {
  const Country* country = nullptr;
  const Place* place = nullptr;
  int age = -1;
  int gender = -1;        // the field; may be blank
  int person_gender = 0;  // what the e-mail's given name follows
  int income_band = -1;
  int education = -1;
  int occupation = -1;
  int lifestyle = -1;
  bool has_city = true;
};

// Keeps `value` with probability 1 - `missing_rate`, else -1 (an empty field).
int MaybeMissing(int value, double missing_rate, Rng& rng) {
  return rng.Bernoulli(missing_rate) ? -1 : value;
}

Attributes DrawAttributes(const CustomerPlan& plan, Rng& rng) {
  const BehaviourProfile& profile = ProfileOf(plan.behaviour);
  Attributes attrs;
  attrs.country = &PickWeighted(
      Countries(), [](const Country& c) { return c.weight; }, rng);
  attrs.place = &PickWeighted(
      attrs.country->places, [](const Place& p) { return p.weight; }, rng);
  const int age = DrawAge(profile, rng);
  const int income_band = DrawIncomeBand(profile, age, rng);
  const std::array<double, 6> education_weights = {
      1, 10, 6, 10 + 2.0 * income_band, 4 + 1.5 * income_band, 1};
  constexpr double kGenderWeights[] = {51, 47.5, 1.5};
  attrs.education = MaybeMissing(rng.Pick(education_weights), 0.05, rng);
  attrs.occupation = MaybeMissing(DrawOccupation(age, income_band, rng), 0.04, rng);
  attrs.person_gender = rng.Pick(kGenderWeights);
  attrs.gender = MaybeMissing(attrs.person_gender, 0.02, rng);
  attrs.income_band = MaybeMissing(income_band, 0.08, rng);
  attrs.age = MaybeMissing(age, 0.03, rng);
  attrs.lifestyle = MaybeMissing(DrawLifestyle(plan.behaviour, rng), 0.03, rng);
  attrs.has_city = !rng.Bernoulli(0.01);
  return attrs;
}

// A mobile number written the ways people write them: "+40 712 345 678",
// "0040712345678", "+40-712-345-678", and for Romania also the national "0712 345 678"
// (which needs [export] phone_country = "40" to be hashed). Some are missing.
char* PutPhone(char* out, const Country& country, Rng& extra) {
  if (extra.Bernoulli(0.05)) return out;
  char digits[9];
  digits[0] = static_cast<char>('6' + extra.UniformInt(2));
  for (int i = 1; i < 9; ++i) digits[i] = static_cast<char>('0' + extra.UniformInt(10));
  const std::string_view number(digits, 9);
  const int64_t style = extra.UniformInt(4);
  if (style == 1) return PutText(PutText(PutText(out, "00"), country.calling_code), number);
  const bool national = style == 3 && country.calling_code == "40";
  const std::string_view gap = style == 2 ? "-" : " ";
  out = national ? PutText(out, "0")
                 : PutText(PutText(PutText(out, "+"), country.calling_code), gap);
  for (size_t group = 0; group < 3; ++group) {
    if (group > 0) out = PutText(out, gap);
    out = PutText(out, number.substr(group * 3, 3));
  }
  return out;
}

template <size_t N>
char* PutOptional(char* out, const std::array<std::string_view, N>& names, int value_idx) {
  return PutField(out, value_idx >= 0 ? names[value_idx] : std::string_view());
}

}  // namespace

CustomerFacts AppendCustomerLine(std::string& out, const CustomerPlan& plan, int64_t id_number,
                                 Rng& rng, Rng& extra) {
  const Attributes attrs = DrawAttributes(plan, rng);
  char* line = BeginLine(out, kMaxCustomerLine);
  line = PutCustomerId(line, id_number);
  *line++ = ',';
  line = PutEmail(line, *attrs.country, attrs.person_gender, attrs.age, rng);
  if (attrs.age >= 0) line = PutInt(line, attrs.age);
  *line++ = ',';
  line = PutOptional(line, kGenders, attrs.gender);
  line = PutOptional(line, kIncomeBands, attrs.income_band);
  line = PutOptional(line, kEducation, attrs.education);
  line = PutOptional(line, kOccupations, attrs.occupation);
  line = PutField(line, attrs.country->name);
  line = PutField(line, attrs.place->region);
  line = PutField(line, attrs.has_city ? attrs.place->city : std::string_view());
  line = PutInterests(line, ProfileOf(plan.behaviour), rng);
  line = PutOptional(line, kLifestyles, attrs.lifestyle);
  CustomerFacts facts;
  facts.opt_in = rng.Bernoulli(ProfileOf(plan.behaviour).opt_in_rate);
  line = PutField(line, facts.opt_in ? "yes" : "no");
  facts.signup_day = DrawSignupDay(plan, rng);
  line = Calendar::PutWindowDay(line, facts.signup_day);
  *line++ = ',';
  line = PutPhone(line, *attrs.country, extra);
  *line++ = '\n';
  EndLine(out, line);
  return facts;
}

}  // namespace segmenta::demo_internal
