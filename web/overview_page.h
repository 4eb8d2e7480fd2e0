// The overview: per configured instrument, its last acquisition and how old it is (green under
// 2 h, amber under 8 h, red beyond: an instrument that stopped delivering shows at a glance),
// its sets by status and backup status, bytes in the local backup and in S3, the oldest set
// not backed up, failed runs in 24 h and the last verify; and sets and GB per day over 30 days
// as inline SVG.
#pragma once
#include "web/site.h"

namespace rawbackup::web {

inline constexpr double age_warn_hours = 2;
inline constexpr double age_alert_hours = 8;
inline constexpr int chart_days = 30;

Result<WebResponse> overview_response(const WebSite& site, bool json);

}  // namespace rawbackup::web
