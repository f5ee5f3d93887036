# One Cloud Function per entry of var.functions (functions.auto.tfvars.json, generated
# from shared/registry.py by `smsctl terraform-inputs`). All are HTTP functions at the
# platform level: API routes and webhooks are public and authenticate callers themselves
# (JWT / API key / provider signature), reached only through the load balancer
# (load_balancer.tf); event functions (Pub/Sub push) and task functions (Cloud Tasks) are
# private, callable by the invoker service account only.

locals {
  # Settings read by shared/config.py (plus a few deployment facts), same for every function.
  function_environment = merge(
    {
      ENVIRONMENT     = "prod"
      LOG_LEVEL       = var.log_level
      PUBLIC_BASE_URL = local.public_base_url
      APP_BASE_URL    = coalesce(var.app_base_url, local.public_base_url)
      GCP_PROJECT     = var.project_id
      GCP_REGION      = var.region
      QUEUE_BACKEND   = var.queue_backend

      DB_USE_CONNECTOR            = "true"
      DB_INSTANCE_CONNECTION_NAME = google_sql_database_instance.main.connection_name
      DB_IAM_USER                 = google_sql_user.runtime.name
      DB_NAME                     = google_sql_database.app.name

      KMS_KEY_NAME = google_kms_crypto_key.tenant_secrets.id

      # PEM of the Memorystore server CA(s), for TLS verification of REDIS_URL (rediss://).
      REDIS_CA_CERT = join("\n", [for cert in google_redis_instance.main.server_ca_certs : cert.cert])

      # Who signs the OIDC tokens of Pub/Sub push and Cloud Tasks requests.
      INVOKER_SERVICE_ACCOUNT = google_service_account.invoker.email
      # Behind the load balancer X-Forwarded-For ends with "<client>, <load balancer IP>":
      # the client is the second entry from the end.
      FORWARDED_FOR_HOPS = "2"

      # A function's cloudfunctions.net URL is this prefix followed by its registry name.
      FUNCTION_URL_PREFIX = "https://${var.region}-${var.project_id}.cloudfunctions.net/${var.name_prefix}-"
    },
    var.function_environment,
  )

  # A function is reachable from the internet only if it is an HTTP function that does
  # its own authentication and the registry marks it public.
  public_functions = {
    for name, f in var.functions : name => f.public && f.kind == "http" && f.auth != "oidc"
  }

  # Cloud Functions (2nd gen) names the function's Cloud Run service after the function:
  # the load balancer's serverless NEGs address it by this name.
  function_names = { for name in keys(var.functions) : name => "${var.name_prefix}-${name}" }
}

module "function" {
  source   = "./modules/function"
  for_each = var.deploy_functions ? var.functions : {}

  project_id  = var.project_id
  region      = var.region
  name        = local.function_names[each.key]
  description = "${each.value.kind} function ${each.key} (auth: ${each.value.auth})"
  entry_point = each.value.entry_point

  source_bucket = var.source_bucket
  source_object = "functions/${each.key}-${coalesce(var.source_version, "unset")}.zip"

  memory          = each.value.memory
  cpu             = each.value.cpu
  timeout_seconds = each.value.timeout_seconds
  min_instances   = each.value.min_instances
  max_instances   = each.value.max_instances

  service_account_email = google_service_account.runtime.email
  build_service_account = google_service_account.builder.id
  docker_repository     = google_artifact_registry_repository.functions.id
  vpc_connector         = google_vpc_access_connector.main.id

  environment_variables        = local.function_environment
  secret_environment_variables = local.function_secrets

  public           = local.public_functions[each.key]
  ingress_settings = local.public_functions[each.key] ? var.public_function_ingress : var.private_function_ingress
  invoker_members  = { invoker = local.invoker_member }

  labels = {
    function = each.key
    kind     = each.value.kind
    auth     = each.value.auth
  }

  # A revision does not start without its secrets and database access.
  depends_on = [
    terraform_data.deploy_guard,
    google_secret_manager_secret_iam_member.runtime_operator,
    google_secret_manager_secret_iam_member.runtime_managed,
    google_secret_manager_secret_version.redis_url,
    google_project_iam_member.runtime_sql,
    google_sql_user.runtime,
    google_storage_bucket_iam_member.builder_reads_sources,
    google_artifact_registry_repository_iam_member.builder_pushes_images,
    google_project_iam_member.builder_logs,
  ]
}

# Fails the plan early when functions are to be deployed without a source version.
resource "terraform_data" "deploy_guard" {
  lifecycle {
    precondition {
      condition     = !var.deploy_functions || var.source_version != null
      error_message = "source_version is required when deploy_functions is true (Cloud Build passes the commit's SHORT_SHA)."
    }
  }
}
