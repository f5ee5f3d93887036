# Service accounts, least privilege. Grants are made on the resource itself wherever the
# resource supports IAM (topics, queues, secrets, the KMS key, Cloud Run services, service
# accounts, buckets); project-level grants are limited to roles with no resource-level
# equivalent, and the Cloud SQL ones are conditioned on this instance.
#
#   runtime      the identity of every function
#   invoker      signs the OIDC tokens of Pub/Sub push and Cloud Tasks; may only invoke
#                the private functions
#   migrator     applies the database migrations (impersonated by the deployer in Cloud Build)
#   deployer     runs cloudbuild.yaml: uploads sources, applies Terraform
#   fn-builder   builds the function images (Cloud Functions' build step)

resource "google_service_account" "runtime" {
  account_id   = "${local.prefix}-runtime"
  display_name = "SMS platform functions (${var.environment})"
  description  = "Identity of every Cloud Function of the SMS platform."

  depends_on = [google_project_service.enabled]
}

resource "google_service_account" "invoker" {
  account_id   = "${local.prefix}-invoker"
  display_name = "SMS platform invoker (${var.environment})"
  description  = "OIDC identity of Pub/Sub push subscriptions and Cloud Tasks calling the private functions."

  depends_on = [google_project_service.enabled]
}

resource "google_service_account" "migrator" {
  account_id   = "${local.prefix}-migrator"
  display_name = "SMS platform migrator (${var.environment})"
  description  = "Database table owner: applies Alembic migrations through the Cloud SQL connector."

  depends_on = [google_project_service.enabled]
}

resource "google_service_account" "deployer" {
  account_id   = "${local.prefix}-deployer"
  display_name = "SMS platform deployer (${var.environment})"
  description  = "Cloud Build: tests, packages and uploads the functions, applies Terraform, runs migrations."

  depends_on = [google_project_service.enabled]
}

resource "google_service_account" "builder" {
  account_id   = "${local.prefix}-fn-builder"
  display_name = "SMS platform function builder (${var.environment})"
  description  = "Cloud Functions build step: reads the source zips, pushes the function images."

  depends_on = [google_project_service.enabled]
}

locals {
  runtime_member  = "serviceAccount:${google_service_account.runtime.email}"
  invoker_member  = "serviceAccount:${google_service_account.invoker.email}"
  migrator_member = "serviceAccount:${google_service_account.migrator.email}"
  deployer_member = "serviceAccount:${google_service_account.deployer.email}"
  builder_member  = "serviceAccount:${google_service_account.builder.email}"

  # Cloud SQL has no instance-level IAM: project grants, conditioned on this instance.
  sql_instance_condition = {
    title       = "only-${google_sql_database_instance.main.name}"
    description = "Only the SMS platform's Cloud SQL instance."
    expression  = "resource.type == \"sqladmin.googleapis.com/Instance\" && resource.name == \"projects/${var.project_id}/instances/${google_sql_database_instance.main.name}\""
  }

  sql_roles = ["roles/cloudsql.client", "roles/cloudsql.instanceUser"]
}

# ---------------------------------------------------------------------------------------
# runtime
# ---------------------------------------------------------------------------------------

# Telemetry roles exist only at project level.
resource "google_project_iam_member" "runtime_telemetry" {
  for_each = toset([
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/cloudtrace.agent",
  ])

  project = var.project_id
  role    = each.key
  member  = local.runtime_member
}

resource "google_project_iam_member" "runtime_sql" {
  for_each = toset(local.sql_roles)

  project = var.project_id
  role    = each.key
  member  = local.runtime_member

  condition {
    title       = local.sql_instance_condition.title
    description = local.sql_instance_condition.description
    expression  = local.sql_instance_condition.expression
  }
}

# The runtime creates Cloud Tasks whose OIDC token is minted for the invoker.
resource "google_service_account_iam_member" "runtime_acts_as_invoker" {
  service_account_id = google_service_account.invoker.name
  role               = "roles/iam.serviceAccountUser"
  member             = local.runtime_member
}

# Publisher on each topic and enqueuer on each queue: see messaging.tf.
# secretAccessor on each secret and encrypter/decrypter on the KMS key: see secrets.tf.

# ---------------------------------------------------------------------------------------
# invoker: run.invoker on each private function's Cloud Run service (modules/function)
# ---------------------------------------------------------------------------------------

# The Pub/Sub service agent mints the push subscriptions' OIDC tokens for the invoker.
resource "google_service_account_iam_member" "pubsub_signs_as_invoker" {
  service_account_id = google_service_account.invoker.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_service_agent
}

# ---------------------------------------------------------------------------------------
# migrator
# ---------------------------------------------------------------------------------------

resource "google_project_iam_member" "migrator_sql" {
  for_each = toset(local.sql_roles)

  project = var.project_id
  role    = each.key
  member  = local.migrator_member

  condition {
    title       = local.sql_instance_condition.title
    description = local.sql_instance_condition.description
    expression  = local.sql_instance_condition.expression
  }
}

# Cloud Build (as the deployer) runs the migrations with the migrator's credentials.
resource "google_service_account_iam_member" "deployer_impersonates_migrator" {
  service_account_id = google_service_account.migrator.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.deployer_member
}

# ---------------------------------------------------------------------------------------
# fn-builder (Cloud Functions build step)
# ---------------------------------------------------------------------------------------

resource "google_project_iam_member" "builder_logs" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = local.builder_member
}

resource "google_storage_bucket_iam_member" "builder_reads_sources" {
  bucket = var.source_bucket
  role   = "roles/storage.objectViewer"
  member = local.builder_member
}

resource "google_artifact_registry_repository_iam_member" "builder_pushes_images" {
  location   = google_artifact_registry_repository.functions.location
  repository = google_artifact_registry_repository.functions.name
  role       = "roles/artifactregistry.writer"
  member     = local.builder_member
}

# ---------------------------------------------------------------------------------------
# deployer (Cloud Build)
# ---------------------------------------------------------------------------------------
# It applies this configuration, so it administers what the configuration manages. That
# includes project IAM (resourcemanager.projectIamAdmin): treat the deployer, and who may
# trigger its builds, as highly privileged.

resource "google_project_iam_member" "deployer" {
  for_each = toset([
    "roles/artifactregistry.admin",
    "roles/cloudbuild.workerPoolOwner",
    "roles/cloudfunctions.developer",
    "roles/cloudkms.admin",
    "roles/cloudsql.admin",
    "roles/cloudtasks.admin",
    "roles/compute.loadBalancerAdmin",
    "roles/compute.networkAdmin",
    "roles/compute.securityAdmin",
    "roles/logging.logWriter",
    "roles/monitoring.editor",
    "roles/pubsub.admin",
    "roles/redis.admin",
    "roles/resourcemanager.projectIamAdmin",
    "roles/run.admin",
    "roles/secretmanager.admin",
    "roles/servicenetworking.networksAdmin",
    "roles/serviceusage.serviceUsageAdmin",
    "roles/vpcaccess.admin",
  ])

  project = var.project_id
  role    = each.key
  member  = local.deployer_member
}

# Creates the platform's service accounts and grants on them (no key creation).
resource "google_project_iam_member" "deployer_service_accounts" {
  #checkov:skip=CKV_GCP_49:The deployer applies this configuration, which creates the service accounts and their IAM.
  project = var.project_id
  role    = "roles/iam.serviceAccountAdmin"
  member  = local.deployer_member
}

# Deploying a function that runs as / builds as / is invoked by a service account
# requires acting as that account.
resource "google_service_account_iam_member" "deployer_acts_as" {
  for_each = {
    runtime = google_service_account.runtime.name
    invoker = google_service_account.invoker.name
    builder = google_service_account.builder.name
  }

  service_account_id = each.value
  role               = "roles/iam.serviceAccountUser"
  member             = local.deployer_member
}

resource "google_storage_bucket_iam_member" "deployer_uploads_sources" {
  bucket = var.source_bucket
  role   = "roles/storage.objectAdmin"
  member = local.deployer_member
}

resource "google_storage_bucket_iam_member" "deployer_state" {
  count = var.state_bucket == null ? 0 : 1

  bucket = var.state_bucket
  role   = "roles/storage.objectAdmin"
  member = local.deployer_member
}

# Writes the A record of the public domain when its zone is in Cloud DNS here.
resource "google_project_iam_member" "deployer_dns" {
  count = var.dns_managed_zone == null ? 0 : 1

  project = var.project_id
  role    = "roles/dns.admin"
  member  = local.deployer_member
}

# The console bucket's grant (storage.admin on that bucket only) is in console.tf.
