# The console: a static Next.js export (web/out), uploaded by cloudbuild.yaml
# (infra/upload-console.sh) and served at / of the public origin through Cloud CDN.
#
# Caching follows the objects' Cache-Control, set at upload: hashed assets under
# _next/static are immutable for a year; everything else (HTML, RSC payloads, icons) is
# `no-cache`, revalidated on every request, so a deploy shows at once.

locals {
  console_bucket = coalesce(var.console_bucket, "${var.project_id}-${local.prefix}-console")
}

resource "google_storage_bucket" "console" {
  #checkov:skip=CKV_GCP_114:The console is a public website: the load balancer reads its objects anonymously, so public access prevention cannot be enforced.
  #checkov:skip=CKV_GCP_62:Public static files; requests are logged by the load balancer, not by bucket access logs.
  name                        = local.console_bucket
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "inherited"
  force_destroy               = false

  # An overwritten or deleted file stays restorable for a while (rollback of a bad upload).
  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.console_noncurrent_versions_days
      with_state                 = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  # /campaigns/ serves campaigns/index.html; an unknown page gets the export's 404 page.
  website {
    main_page_suffix = "index.html"
    not_found_page   = "404.html"
  }

  depends_on = [google_project_service.enabled]
}

# Backend buckets read objects anonymously: the bundle is public by nature (it is what
# every browser downloads); it holds no secret.
resource "google_storage_bucket_iam_member" "console_public" {
  #checkov:skip=CKV_GCP_28:The console's static bundle is a public website behind Cloud CDN.
  bucket = google_storage_bucket.console.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}

# Cloud Build uploads the bundle and, as the deployer, manages this bucket in later applies
# (the bootstrap apply by an owner creates it).
resource "google_storage_bucket_iam_member" "deployer_console" {
  bucket = google_storage_bucket.console.name
  role   = "roles/storage.admin"
  member = local.deployer_member
}

resource "google_compute_backend_bucket" "console" {
  name             = "${local.prefix}-console"
  description      = "The console's static bundle through Cloud CDN."
  bucket_name      = google_storage_bucket.console.name
  enable_cdn       = true
  compression_mode = "AUTOMATIC"

  cdn_policy {
    cache_mode         = "USE_ORIGIN_HEADERS"
    request_coalescing = true
  }

  custom_response_headers = [
    local.hsts_header,
    "X-Content-Type-Options: nosniff",
    "Referrer-Policy: strict-origin-when-cross-origin",
  ]
}
