// The overview: per configured instrument, its last acquisition and how old it is (green, then
// amber from serve.age_warn_hours, red from serve.age_alert_hours: an instrument that stopped
// delivering shows at a glance), its sets by status and backup status, bytes in the local
// backup and in S3, the oldest set not backed up, failed runs in 24 h, the last verify and the
// free space of its folder; the backup folder's free space; and sets and bytes per day over 30
// days as inline SVG.
#pragma once
#include "web/site.h"

namespace rawbackup::web {

inline constexpr int chart_days = 30;

Result<WebResponse> overview_response(const WebSite& site, bool json);

}  // namespace rawbackup::web
