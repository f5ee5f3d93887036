# Build-side resources: where function images go, and the private worker pool that
# cloudbuild.yaml runs in.

resource "google_artifact_registry_repository" "functions" {
  #checkov:skip=CKV_GCP_84:Images hold code and public dependencies, no secrets; Google-managed encryption is enough.
  location      = var.region
  repository_id = var.artifact_repository
  format        = "DOCKER"
  description   = "Images built by Cloud Functions from the SMS platform's sources."

  cleanup_policy_dry_run = false

  cleanup_policies {
    id     = "delete-older-than-30-days"
    action = "DELETE"

    condition {
      tag_state  = "ANY"
      older_than = "2592000s"
    }
  }

  # Keep wins over delete: the latest images of every function stay (rollbacks).
  cleanup_policies {
    id     = "keep-most-recent"
    action = "KEEP"

    most_recent_versions {
      keep_count = var.image_retention_count
    }
  }

  depends_on = [google_project_service.enabled]
}

# A private pool peered with the VPC (through private services access), so the build's
# migration step reaches Cloud SQL's private IP. Its workers keep an external IP: the
# build downloads from PyPI, Docker Hub and the Terraform registry.
resource "google_cloudbuild_worker_pool" "build" {
  #checkov:skip=CKV_GCP_86:The build needs internet egress (PyPI, Docker Hub, Terraform registry); the VPC has no NAT for peered pools.
  count = var.create_build_worker_pool ? 1 : 0

  name     = "${local.prefix}-build"
  location = var.region

  worker_config {
    machine_type   = var.build_worker_machine_type
    disk_size_gb   = 100
    no_external_ip = false
  }

  network_config {
    peered_network = google_compute_network.main.id
  }

  depends_on = [google_service_networking_connection.private_services]
}
