#include "demo/dirty.h"

#include <array>
#include <vector>

#include "demo/customer_gen.h"

namespace segmenta::demo_internal {
namespace {

constexpr std::array<std::string_view, 7> kKindNames = {
    "missing_id",  "broken_date",  "non_numeric_amount", "duplicate",
    "stray_quote", "bad_encoding", "unknown_customer"};

enum EventColumn { kEventCustomer = 0, kEventTs = 1, kEventAmount = 3, kEventChannel = 5 };
constexpr int kEventCategory = 6;
constexpr int kEventCampaign = 7;

constexpr std::array<std::string_view, 4> kBrokenDates = {"2026-13-45 25:61:00", "not a date",
                                                          "31/02/2026", "2025-02-30 24:00:00"};

// Campaign names saved by a Latin-1 tool: é, ê, è, ë, ÿ as single bytes.
constexpr std::array<std::string_view, 4> kLatin1Campaigns = {
    "promo_\xE9t\xE9", "f\xEAte_des_m\xE8res", "no\xEBl_2025", "sale_\xFF"};

// A real place whose city was saved as Latin-1 or Latin-2 (Windows-1250) bytes.
struct MisencodedPlace {
  std::string_view country;
  std::string_view region;  // valid UTF-8
  std::string_view city;    // invalid UTF-8
};
constexpr std::array<MisencodedPlace, 6> kMisencodedPlaces = {{
    {"Spain", "Andalucía", "M\xE1laga"},
    {"Germany", "Nordrhein-Westfalen", "K\xF6ln"},
    {"Italy", "Emilia-Romagna", "Forl\xEC"},
    {"Portugal", "Setúbal",
     "Set\xFA"
     "bal"},
    {"Romania", "Brașov", "Bra\xBAov"},
    {"Poland", "Łódzkie",
     "\xA3\xF3"
     "d\xBC"},
}};

// Surnames with an apostrophe mistyped as a double quote.
constexpr std::array<std::string_view, 4> kQuotedSurnames = {"o\"brien", "d\"angelo", "dell\"acqua",
                                                             "o\"connor"};

using Fields = std::vector<std::string>;

Fields SplitFields(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  Fields fields;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    fields.emplace_back(line.substr(start, comma - start));
    if (comma == std::string_view::npos) return fields;
    start = comma + 1;
  }
}

void AppendFields(std::string& out, const Fields& fields) {
  for (size_t field_idx = 0; field_idx < fields.size(); ++field_idx) {
    if (field_idx > 0) out += ',';
    out += fields[field_idx];
  }
  out += '\n';
}

// "12.50" -> "\"12,5O\"": a decimal comma and a letter O typed for a zero.
std::string NonNumericAmount(const std::string& amount, Rng& rng) {
  switch (rng.UniformInt(3)) {
    case 0: {
      std::string text = amount;
      for (char& ch : text) ch = ch == '.' ? ',' : ch;
      text.back() = 'O';
      return "\"" + text + "\"";
    }
    case 1:
      return "N/A";
    default:
      return "abc";
  }
}

// An opening quote at the start of the field, or a stray one inside it (ASCII fields).
void AddStrayQuote(std::string& field, Rng& rng) {
  if (field.size() >= 2 && rng.Bernoulli(0.5)) {
    field.insert(static_cast<size_t>(rng.UniformInt(1, static_cast<int64_t>(field.size()) - 1)), 1,
                 '"');
  } else {
    field.insert(0, 1, '"');
  }
}

// The first non-empty of category, campaign and channel (channel is always set).
std::string& QuoteTarget(Fields& fields, Rng& rng) {
  const int first = rng.Bernoulli(0.5) ? kEventCategory : kEventCampaign;
  if (!fields[first].empty()) return fields[first];
  const int second = first == kEventCategory ? kEventCampaign : kEventCategory;
  return fields[second].empty() ? fields[kEventChannel] : fields[second];
}

// "ion.o\"brien12@example.com" or a leading quote: "\"ion.popescu12@example.com".
void BreakEmail(std::string& email, Rng& rng) {
  if (rng.Bernoulli(0.5)) {
    email.insert(0, 1, '"');
    return;
  }
  const size_t at = email.find('@');
  const size_t given_end = email.find_first_of("._", 0);
  const std::string given = email.substr(0, std::min(given_end, at));
  const std::string_view surname = kQuotedSurnames[rng.UniformInt(kQuotedSurnames.size())];
  email =
      given + "." + std::string(surname) + std::to_string(rng.UniformInt(1, 99)) + email.substr(at);
}

}  // namespace

std::string_view DirtyKindName(DirtyKind kind) { return kKindNames[static_cast<int>(kind)]; }

DirtyKind PickEventDefect(bool is_purchase, Rng& rng) {
  // missing_id, broken_date, non_numeric_amount, duplicate, stray_quote, bad_encoding,
  // unknown_customer
  constexpr double kWeights[] = {14, 14, 0, 20, 14, 14, 16};
  constexpr double kPurchaseWeights[] = {10, 10, 30, 16, 10, 10, 14};
  return static_cast<DirtyKind>(rng.Pick(is_purchase ? kPurchaseWeights : kWeights));
}

DirtyKind PickCustomerDefect(Rng& rng) {
  constexpr DirtyKind kKinds[] = {DirtyKind::kMissingId, DirtyKind::kStrayQuote,
                                  DirtyKind::kBadEncoding};
  constexpr double kWeights[] = {40, 30, 30};
  return kKinds[rng.Pick(kWeights)];
}

void AppendEventDefect(std::string& out, std::string_view good_line, DirtyKind kind, Rng& rng) {
  Fields fields = SplitFields(good_line);
  switch (kind) {
    case DirtyKind::kMissingId:
      fields[kEventCustomer].clear();
      break;
    case DirtyKind::kBrokenDate:
      fields[kEventTs] = kBrokenDates[rng.UniformInt(kBrokenDates.size())];
      break;
    case DirtyKind::kNonNumericAmount:
      fields[kEventAmount] = NonNumericAmount(fields[kEventAmount], rng);
      break;
    case DirtyKind::kDuplicate:
      break;
    case DirtyKind::kStrayQuote:
      AddStrayQuote(QuoteTarget(fields, rng), rng);
      break;
    case DirtyKind::kBadEncoding:
      fields[kEventCampaign] = kLatin1Campaigns[rng.UniformInt(kLatin1Campaigns.size())];
      break;
    case DirtyKind::kUnknownCustomer:
      fields[kEventCustomer] += 'x';
      break;
  }
  AppendFields(out, fields);
}

void AppendCustomerDefect(std::string& out, std::string_view good_line, DirtyKind kind, Rng& rng) {
  Fields fields = SplitFields(good_line);
  switch (kind) {
    case DirtyKind::kMissingId:
      fields[kCustomerIdColumn].clear();
      break;
    case DirtyKind::kStrayQuote:
      BreakEmail(fields[kEmailColumn], rng);
      break;
    case DirtyKind::kBadEncoding: {
      const MisencodedPlace& place = kMisencodedPlaces[rng.UniformInt(kMisencodedPlaces.size())];
      fields[kCountryColumn] = place.country;
      fields[kRegionColumn] = place.region;
      fields[kCityColumn] = place.city;
      break;
    }
    default:  // other kinds are events-only
      break;
  }
  AppendFields(out, fields);
}

}  // namespace segmenta::demo_internal
