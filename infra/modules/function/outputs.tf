output "name" {
  description = "Name of the function."
  value       = google_cloudfunctions2_function.this.name
}

output "id" {
  description = "Resource id of the function."
  value       = google_cloudfunctions2_function.this.id
}

output "url" {
  description = "The function's URL (https://<region>-<project>.cloudfunctions.net/<name>)."
  value       = google_cloudfunctions2_function.this.url
}

output "service_uri" {
  description = "URL of the function's Cloud Run service (run.app): push endpoint and OIDC audience."
  value       = google_cloudfunctions2_function.this.service_config[0].uri
}

output "service_name" {
  description = "Name of the function's Cloud Run service."
  value       = local.service_name
}
