# Alerts on what needs a human: dead letters, failing functions, a saturated database or
# cache. With alert_email null the policies still open incidents in the console.

resource "google_monitoring_notification_channel" "email" {
  count = var.alert_email == null ? 0 : 1

  display_name = "SMS platform alerts (${var.environment})"
  type         = "email"

  labels = {
    email_address = var.alert_email
  }

  depends_on = [google_project_service.enabled]
}

locals {
  alert_channels = google_monitoring_notification_channel.email[*].id

  all_alerts = {
    dead_letters = {
      name      = "Messages in a dead-letter subscription"
      filter    = "resource.type = \"pubsub_subscription\" AND metric.type = \"pubsub.googleapis.com/subscription/num_undelivered_messages\" AND resource.label.subscription_id = monitoring.regex.full_match(\".*-dead-letter\")"
      aligner   = "ALIGN_MAX"
      reducer   = "REDUCE_NONE"
      group_by  = ""
      threshold = 0
      duration  = "300s"
      runbook   = "An event failed ${var.pubsub_max_delivery_attempts} deliveries and was parked in `<topic>-dead-letter`. Read the consuming function's logs, fix, then replay the messages (pull them from the subscription and republish to the topic)."
    }
    function_errors = {
      name      = "Functions answering 5xx"
      filter    = "resource.type = \"cloud_run_revision\" AND metric.type = \"run.googleapis.com/request_count\" AND metric.label.response_code_class = \"5xx\" AND resource.label.service_name = monitoring.regex.full_match(\"${var.name_prefix}-.*\")"
      aligner   = "ALIGN_RATE"
      reducer   = "REDUCE_SUM"
      group_by  = "resource.label.service_name"
      threshold = 0.05 # per second, about 15 errors in 5 minutes
      duration  = "300s"
      runbook   = "A function returns server errors. Check its logs (Cloud Logging, resource cloud_run_revision) for the request id and the exception."
    }
    database_cpu = {
      name      = "Cloud SQL CPU above 80%"
      filter    = "resource.type = \"cloudsql_database\" AND metric.type = \"cloudsql.googleapis.com/database/cpu/utilization\" AND resource.label.database_id = \"${var.project_id}:${google_sql_database_instance.main.name}\""
      aligner   = "ALIGN_MEAN"
      reducer   = "REDUCE_NONE"
      group_by  = ""
      threshold = 0.8
      duration  = "900s"
      runbook   = "The database is CPU-bound. Look at Query Insights for the heaviest queries; raise db_tier if the load is legitimate."
    }
    database_disk = {
      name      = "Cloud SQL disk above 85%"
      filter    = "resource.type = \"cloudsql_database\" AND metric.type = \"cloudsql.googleapis.com/database/disk/utilization\" AND resource.label.database_id = \"${var.project_id}:${google_sql_database_instance.main.name}\""
      aligner   = "ALIGN_MEAN"
      reducer   = "REDUCE_NONE"
      group_by  = ""
      threshold = 0.85
      duration  = "900s"
      runbook   = "The disk grows automatically; check why it fills (bloat, logs, unexpected data growth)."
    }
    redis_memory = {
      name      = "Memorystore memory above 85%"
      filter    = "resource.type = \"redis_instance\" AND metric.type = \"redis.googleapis.com/stats/memory/usage_ratio\" AND resource.label.instance_id = monitoring.regex.full_match(\".*/${google_redis_instance.main.name}\")"
      aligner   = "ALIGN_MEAN"
      reducer   = "REDUCE_NONE"
      group_by  = ""
      threshold = 0.85
      duration  = "900s"
      runbook   = "Redis is nearly full and will start evicting keys. Check for keys without TTL; raise redis_memory_size_gb if needed."
    }
  }

  # The dead-letter policy only makes sense when there are dead-letter subscriptions.
  alerts = { for key, alert in local.all_alerts : key => alert if key != "dead_letters" || length(local.topics) > 0 }
}

resource "google_monitoring_alert_policy" "platform" {
  for_each = local.alerts

  display_name          = "SMS platform (${var.environment}): ${each.value.name}"
  combiner              = "OR"
  notification_channels = local.alert_channels

  conditions {
    display_name = each.value.name

    condition_threshold {
      filter          = each.value.filter
      comparison      = "COMPARISON_GT"
      threshold_value = each.value.threshold
      duration        = each.value.duration

      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = each.value.aligner
        cross_series_reducer = each.value.reducer
        group_by_fields      = each.value.group_by == "" ? [] : [each.value.group_by]
      }

      trigger {
        count = 1
      }
    }
  }

  documentation {
    content   = each.value.runbook
    mime_type = "text/markdown"
  }

  depends_on = [google_project_service.enabled]
}
