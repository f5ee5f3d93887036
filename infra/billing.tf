# The billing sweep: pushes usage whose meter push was lost or dead-lettered, and compares
# what was sent with Stripe's meter event summaries (drift is logged as an error). Cloud
# Scheduler calls it every hour with the invoker's OIDC token.
resource "google_cloud_scheduler_job" "billing_reconciler" {
  count = var.deploy_functions ? 1 : 0

  name             = "${local.prefix}-billing-reconciler"
  region           = var.region
  description      = "Push pending usage to Stripe and report meter drift."
  schedule         = "7 * * * *"
  time_zone        = "Etc/UTC"
  attempt_deadline = "540s"

  retry_config {
    retry_count = 0 # the next hour's run is the retry
  }

  http_target {
    http_method = "POST"
    uri         = module.function["billing-reconciler"].service_uri
    body        = base64encode("{}")
    headers     = { "Content-Type" = "application/json" }

    oidc_token {
      service_account_email = google_service_account.invoker.email
      audience              = module.function["billing-reconciler"].service_uri
    }
  }

  depends_on = [google_project_service.enabled]
}
