# One Cloud Function (2nd gen, HTTP-triggered) and who may invoke it.

locals {
  # Concurrency above 1 requires at least one vCPU.
  max_concurrency = tonumber(var.cpu) >= 1 ? var.max_concurrency : 1

  # Cloud Functions names its Cloud Run service after the function; the API may report it
  # as a full resource name.
  service_name = basename(google_cloudfunctions2_function.this.service_config[0].service)
}

resource "google_cloudfunctions2_function" "this" {
  project     = var.project_id
  location    = var.region
  name        = var.name
  description = var.description
  labels      = var.labels

  build_config {
    runtime           = var.runtime
    entry_point       = var.entry_point
    service_account   = var.build_service_account
    docker_repository = var.docker_repository

    source {
      storage_source {
        bucket = var.source_bucket
        object = var.source_object
      }
    }
  }

  service_config {
    available_memory                 = var.memory
    available_cpu                    = var.cpu
    timeout_seconds                  = var.timeout_seconds
    min_instance_count               = var.min_instances
    max_instance_count               = var.max_instances
    max_instance_request_concurrency = local.max_concurrency

    service_account_email          = var.service_account_email
    ingress_settings               = var.ingress_settings
    all_traffic_on_latest_revision = true

    vpc_connector                 = var.vpc_connector
    vpc_connector_egress_settings = var.vpc_connector_egress_settings

    environment_variables = var.environment_variables

    dynamic "secret_environment_variables" {
      for_each = var.secret_environment_variables

      content {
        key        = secret_environment_variables.key
        project_id = var.project_id
        secret     = secret_environment_variables.value
        version    = "latest"
      }
    }
  }
}

# Public HTTP functions (API routes, provider webhooks): the load balancer's requests carry
# no Google identity, so anyone may invoke them (ingress admits only the load balancer and
# internal traffic); each route authenticates its caller (JWT or API key, Twilio / Stripe
# signature) or is anonymous.
resource "google_cloud_run_v2_service_iam_member" "public" {
  count = var.public ? 1 : 0

  project  = var.project_id
  location = var.region
  name     = local.service_name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# Private functions (Pub/Sub push, Cloud Tasks): only the given members may call them.
resource "google_cloud_run_v2_service_iam_member" "invoker" {
  for_each = { for key, member in var.invoker_members : key => member if !var.public }

  project  = var.project_id
  location = var.region
  name     = local.service_name
  role     = "roles/run.invoker"
  member   = each.value
}
