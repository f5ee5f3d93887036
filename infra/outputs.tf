# --- The public origin (load_balancer.tf, console.tf) ---

output "public_base_url" {
  description = "The platform's one public origin (PUBLIC_BASE_URL of the functions): console at /, API at /v1, webhooks at /webhooks."
  value       = local.public_base_url
}

output "load_balancer_ip" {
  description = "IPv4 address of the load balancer: the domain's DNS A record points here (the managed certificate is provisioned once it does)."
  value       = google_compute_global_address.public.address
}

output "ssl_certificate" {
  description = "Name of the Google-managed certificate (`gcloud compute ssl-certificates describe NAME --global` shows its provisioning status)."
  value       = google_compute_managed_ssl_certificate.public.name
}

output "console_bucket" {
  description = "Bucket of the console's static bundle (cloudbuild.yaml uploads web/out here)."
  value       = google_storage_bucket.console.name
}

output "url_map" {
  description = "Name of the URL map generated from the registry."
  value       = google_compute_url_map.public.name
}

# --- Functions ---

output "function_service_uris" {
  description = "Cloud Run (run.app) URL of every function: Pub/Sub push endpoint, Cloud Tasks target and OIDC audience."
  value       = { for name, fn in module.function : name => fn.service_uri }
}

# --- Database (read by cloudbuild.yaml for the migrations) ---

output "db_instance_connection_name" {
  description = "project:region:instance of Cloud SQL (DB_INSTANCE_CONNECTION_NAME)."
  value       = google_sql_database_instance.main.connection_name
}

output "db_instance_name" {
  description = "Name of the Cloud SQL instance."
  value       = google_sql_database_instance.main.name
}

output "db_private_ip" {
  description = "Private IP of the Cloud SQL instance."
  value       = google_sql_database_instance.main.private_ip_address
}

output "db_name" {
  description = "Database of the platform (DB_NAME)."
  value       = google_sql_database.app.name
}

output "db_runtime_user" {
  description = "IAM database user of the functions (DB_IAM_USER of the functions)."
  value       = google_sql_user.runtime.name
}

output "db_migrator_user" {
  description = "IAM database user of the migrations (DB_IAM_USER of `smsctl migrate`)."
  value       = google_sql_user.migrator.name
}

# --- Service accounts ---

output "service_accounts" {
  description = "Emails of the platform's service accounts."
  value = {
    runtime  = google_service_account.runtime.email
    invoker  = google_service_account.invoker.email
    migrator = google_service_account.migrator.email
    deployer = google_service_account.deployer.email
    builder  = google_service_account.builder.email
  }
}

output "migrator_service_account" {
  description = "Email of the migrator service account (impersonated by Cloud Build for migrations)."
  value       = google_service_account.migrator.email
}

output "deployer_service_account" {
  description = "Email of the deployer service account: set it as the service account of the Cloud Build trigger."
  value       = google_service_account.deployer.email
}

# --- Messaging ---

output "pubsub_topics" {
  description = "Registry topic name => Pub/Sub topic id."
  value       = { for topic, res in google_pubsub_topic.events : topic => res.name }
}

output "dead_letter_subscriptions" {
  description = "Registry topic name => subscription holding its dead letters."
  value       = { for topic, res in google_pubsub_subscription.dead_letter : topic => res.id }
}

output "task_queues" {
  description = "Registry queue name => Cloud Tasks queue id (projects/.../locations/.../queues/...)."
  value       = { for queue, res in google_cloud_tasks_queue.tasks : queue => res.id }
}

# --- Other resources ---

output "redis_host" {
  description = "Private IP of Memorystore (TLS port in redis_port); the full URL is in the redis-url secret."
  value       = google_redis_instance.main.host
}

output "redis_port" {
  description = "Port of Memorystore (6378 with TLS)."
  value       = google_redis_instance.main.port
}

output "kms_key_name" {
  description = "Cloud KMS key of the envelope encryption (KMS_KEY_NAME)."
  value       = google_kms_crypto_key.tenant_secrets.id
}

output "secrets_to_fill" {
  description = "Secret Manager secrets an operator must give a value (a version) before the functions are deployed."
  value       = sort([for secret in google_secret_manager_secret.operator : secret.secret_id])
}

output "build_worker_pool" {
  description = "Private Cloud Build worker pool (the _WORKER_POOL substitution of cloudbuild.yaml)."
  value       = one(google_cloudbuild_worker_pool.build[*].id)
}

output "vpc_connector" {
  description = "Serverless VPC Access connector of the functions."
  value       = google_vpc_access_connector.main.id
}
