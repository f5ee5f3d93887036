# Pub/Sub topics and Cloud Tasks queues, derived from var.functions:
#   - one topic per distinct `topic` of the event functions (plus var.additional_topics),
#     id = topic with "." replaced by "-", each with a dead-letter topic "<id>-dead-letter";
#   - one push subscription per event function, to its URL, with an OIDC token of the
#     invoker service account;
#   - one queue per distinct `queue` of the task functions (id = queue with characters
#     other than letters, digits and "-" replaced by "-"), whose tasks all go to that
#     queue's function with an OIDC token of the invoker service account.

locals {
  event_functions = { for name, f in var.functions : name => f if f.kind == "event" }
  task_functions  = { for name, f in var.functions : name => f if f.kind == "task" }

  # Registry topic name => Pub/Sub topic id.
  topics = {
    for topic in distinct(concat(flatten([for f in values(local.event_functions) : concat([f.topic], f.also_topics)]), var.additional_topics)) :
    topic => replace(topic, ".", "-")
  }

  # One push subscription per (event function, topic it consumes). A function's first
  # topic keeps the function's name as key; further ones are "<function>:<topic>".
  subscriptions = merge(
    { for name, f in local.event_functions : name => { function = name, topic = f.topic } },
    merge([
      for name, f in local.event_functions : {
        for topic in f.also_topics : "${name}:${topic}" => { function = name, topic = topic }
      }
    ]...),
  )

  # Registry queue name => queue id, target function and settings.
  queues = {
    for name, f in local.task_functions : f.queue => {
      id       = replace(f.queue, "/[^A-Za-z0-9-]/", "-")
      function = name
      settings = merge(
        var.task_queue_defaults,
        { for key, value in try(var.task_queue_overrides[f.queue], {}) : key => value if value != null },
      )
    }
  }
}

# ---------------------------------------------------------------------------------------
# Pub/Sub
# ---------------------------------------------------------------------------------------

resource "google_pubsub_topic" "events" {
  #checkov:skip=CKV_GCP_83:Google-managed encryption; events carry ids, not secrets.
  for_each = local.topics

  name                       = each.value
  message_retention_duration = "86400s"

  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_topic" "dead_letter" {
  #checkov:skip=CKV_GCP_83:Google-managed encryption; events carry ids, not secrets.
  for_each = local.topics

  name                       = "${each.value}-dead-letter"
  message_retention_duration = "604800s"

  depends_on = [google_project_service.enabled]
}

# Keeps dead letters (7 days) for inspection and replay; an alert watches its backlog.
resource "google_pubsub_subscription" "dead_letter" {
  for_each = local.topics

  name                       = "${each.value}-dead-letter"
  topic                      = google_pubsub_topic.dead_letter[each.key].id
  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"

  expiration_policy {
    ttl = "" # never expires
  }
}

# The Pub/Sub service agent forwards undeliverable messages to the dead-letter topic...
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  for_each = local.topics

  topic  = google_pubsub_topic.dead_letter[each.key].id
  role   = "roles/pubsub.publisher"
  member = local.pubsub_service_agent
}

# ...and acknowledges them on the source subscription.
resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  for_each = google_pubsub_subscription.push

  subscription = each.value.id
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}

resource "google_pubsub_topic_iam_member" "runtime_publisher" {
  for_each = local.topics

  topic  = google_pubsub_topic.events[each.key].id
  role   = "roles/pubsub.publisher"
  member = local.runtime_member
}

resource "google_pubsub_subscription" "push" {
  for_each = var.deploy_functions ? local.subscriptions : {}

  name  = "${local.topics[each.value.topic]}-${each.value.function}"
  topic = google_pubsub_topic.events[each.value.topic].id

  # Pub/Sub waits this long for the function's answer (at most 600 s).
  ack_deadline_seconds       = min(600, max(10, local.event_functions[each.value.function].timeout_seconds))
  message_retention_duration = "604800s"

  expiration_policy {
    ttl = "" # never expires
  }

  push_config {
    push_endpoint = module.function[each.value.function].service_uri

    oidc_token {
      service_account_email = google_service_account.invoker.email
      audience              = module.function[each.value.function].service_uri
    }
  }

  retry_policy {
    minimum_backoff = var.pubsub_min_backoff
    maximum_backoff = var.pubsub_max_backoff
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter[each.value.topic].id
    max_delivery_attempts = var.pubsub_max_delivery_attempts
  }

  depends_on = [
    google_pubsub_topic_iam_member.dead_letter_publisher,
    google_service_account_iam_member.pubsub_signs_as_invoker,
  ]
}

# ---------------------------------------------------------------------------------------
# Cloud Tasks
# ---------------------------------------------------------------------------------------

resource "google_cloud_tasks_queue" "tasks" {
  for_each = local.queues

  name     = each.value.id
  location = var.region

  rate_limits {
    max_dispatches_per_second = each.value.settings.max_dispatches_per_second
    max_concurrent_dispatches = each.value.settings.max_concurrent_dispatches
  }

  retry_config {
    max_attempts       = each.value.settings.max_attempts
    min_backoff        = each.value.settings.min_backoff
    max_backoff        = each.value.settings.max_backoff
    max_doublings      = each.value.settings.max_doublings
    max_retry_duration = each.value.settings.max_retry_duration
  }

  stackdriver_logging_config {
    sampling_ratio = var.task_log_sampling_ratio
  }

  # Every task of the queue goes to its function (whatever URL the task names), with an
  # OIDC token of the invoker service account.
  dynamic "http_target" {
    for_each = var.deploy_functions ? [module.function[each.value.function].service_uri] : []

    content {
      http_method = "POST"

      uri_override {
        scheme                    = "HTTPS"
        host                      = trimprefix(http_target.value, "https://")
        uri_override_enforce_mode = "ALWAYS"

        path_override {
          path = "/"
        }
      }

      oidc_token {
        service_account_email = google_service_account.invoker.email
        audience              = http_target.value
      }
    }
  }

  depends_on = [google_project_service.enabled]
}

resource "google_cloud_tasks_queue_iam_member" "runtime_enqueuer" {
  for_each = google_cloud_tasks_queue.tasks

  project  = var.project_id
  location = each.value.location
  name     = each.value.name
  role     = "roles/cloudtasks.enqueuer"
  member   = local.runtime_member
}

# The reconciler settles messages stuck in `sending` (an unknown provider outcome, a lost
# callback): Cloud Scheduler calls it every minute, with the invoker's OIDC token, as
# Cloud Tasks calls the other task functions.
resource "google_cloud_scheduler_job" "reconciler" {
  count = var.deploy_functions ? 1 : 0

  name             = "${local.prefix}-reconciler"
  region           = var.region
  description      = "Reconcile messages stuck in sending with the provider."
  schedule         = "* * * * *"
  time_zone        = "Etc/UTC"
  attempt_deadline = "300s"

  retry_config {
    retry_count = 0 # the next minute's run is the retry
  }

  http_target {
    http_method = "POST"
    uri         = module.function["reconciler"].service_uri
    body        = base64encode("{}")
    headers     = { "Content-Type" = "application/json" }

    oidc_token {
      service_account_email = google_service_account.invoker.email
      audience              = module.function["reconciler"].service_uri
    }
  }

  depends_on = [google_project_service.enabled]
}
