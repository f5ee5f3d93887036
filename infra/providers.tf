provider "google" {
  project        = var.project_id
  region         = var.region
  default_labels = local.labels
}

# Only for service identities (google_project_service_identity), which are beta-only.
provider "google-beta" {
  project        = var.project_id
  region         = var.region
  default_labels = local.labels
}
