// Settings of the feature table ([features] in segmenta.toml); see features.h.
#ifndef SEGMENTA_FEATURE_OPTIONS_H_
#define SEGMENTA_FEATURE_OPTIONS_H_

#include <optional>
#include <string>
#include <vector>

namespace segmenta {

// An inclusive month/day window; it may wrap the year end (Dec 20 – Jan 6).
struct HolidayWindow {
  int start_month = 11;
  int start_day = 15;
  int end_month = 12;
  int end_day = 31;
};

struct FeatureOptions {
  std::optional<std::string> as_of;  // "YYYY-MM-DD"; default: the day after the newest event
  int top_categories = 5;            // category_share_<c> for the top N categories by revenue
  int top_channels = 5;              // channel_share_<c> likewise
  std::vector<HolidayWindow> holidays = {HolidayWindow{}};
  int new_days = 30;              // journey: first purchase this recent → new
  int active_days = 90;           // journey: purchased this recently → active/repeat
  int lapsed_days = 180;          // journey: no purchase for longer → lapsed
  int support_pending_days = 14;  // journey: open support contact window
};

}  // namespace segmenta

#endif  // SEGMENTA_FEATURE_OPTIONS_H_
