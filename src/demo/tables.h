// Fixed vocabularies of the demo data: EU geography (native spellings, real UTF-8),
// female and male given names and surnames per country (ASCII, for e-mail addresses), and the
// category lists used for customer attributes and events.
//
// Every value is free of commas, double quotes and line breaks, so it can be written
// into a CSV field unquoted.
#ifndef SEGMENTA_DEMO_TABLES_H_
#define SEGMENTA_DEMO_TABLES_H_

#include <array>
#include <span>
#include <string_view>

namespace segmenta::demo_internal {

struct Place {
  std::string_view region;
  std::string_view city;
  double weight;  // relative population
};

struct Country {
  std::string_view name;
  double weight;  // share of customers
  std::span<const Place> places;
  std::span<const std::string_view> female_names;
  std::span<const std::string_view> male_names;
  std::span<const std::string_view> surnames;
  std::string_view calling_code;  // "40": phone numbers are +40 ...
};

std::span<const Country> Countries();

// Product categories, in index order used by events and behaviour profiles.
inline constexpr int kCategoryCount = 8;
inline constexpr std::array<std::string_view, kCategoryCount> kCategories = {
    "electronics", "fashion", "home", "beauty", "sports", "books", "grocery", "toys"};

// Event channels; the first kShopChannelCount are where purchases happen.
inline constexpr int kShopChannelCount = 4;
enum Channel : int8_t { kWeb, kApp, kStore, kMarketplace, kEmail, kPhone, kChat };
inline constexpr std::array<std::string_view, 7> kChannels = {
    "web", "app", "store", "marketplace", "email", "phone", "chat"};

inline constexpr std::array<std::string_view, 16> kInterests = {
    "sports",   "travel",  "fashion",    "technology", "cooking",   "gaming", "reading", "music",
    "outdoors", "fitness", "home_decor", "beauty",     "parenting", "pets",   "movies",  "finance"};

inline constexpr std::array<std::string_view, 8> kLifestyles = {
    "urban_professional", "family_oriented",    "budget_conscious", "health_enthusiast",
    "tech_savvy",         "outdoor_adventurer", "homebody",         "trendsetter"};

inline constexpr std::array<std::string_view, 6> kIncomeBands = {"<20k",   "20-40k",  "40-60k",
                                                                 "60-80k", "80-120k", ">120k"};

inline constexpr std::array<std::string_view, 6> kEducation = {
    "primary", "secondary", "vocational", "bachelor", "master", "doctorate"};

inline constexpr std::array<std::string_view, 8> kOccupations = {
    "student",       "employee",      "professional", "manager",
    "self_employed", "public_sector", "retired",      "unemployed"};

inline constexpr std::array<std::string_view, 3> kGenders = {"female", "male", "non_binary"};

inline constexpr std::array<std::string_view, 4> kEmailDomains = {
    "example.com", "example.org", "example.net", "mail.example.com"};

}  // namespace segmenta::demo_internal

#endif  // SEGMENTA_DEMO_TABLES_H_
