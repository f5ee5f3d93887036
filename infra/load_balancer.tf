# The platform's one public origin, https://<domain>: a global external Application Load
# Balancer whose URL map is generated from the registry (var.url_map_routes, written by
# `smsctl terraform-inputs` into functions.auto.tfvars.json).
#
#   /v1/..., /webhooks/..., /docs, /openapi.json, /health
#       -> route rules (priority order) -> backend service -> serverless NEG -> function
#   everything else
#       -> backend bucket with Cloud CDN: the console's static bundle (console.tf)
#   http://  -> 308 to https://
#
# A Cloud Armor policy on every function backend limits /v1/auth/* per client IP. The
# public functions accept traffic from the load balancer only (public_function_ingress);
# Pub/Sub push and Cloud Tasks keep calling the private functions directly with OIDC.

locals {
  public_base_url = "https://${var.domain}"

  # Registry functions the URL map sends requests to: one serverless NEG and one backend
  # service each.
  routed_functions = toset([for rule in var.url_map_routes : rule.function])

  # The routes Cloud Armor rate-limits per IP (credential stuffing, signup and password
  # reset abuse); tests/platform/test_url_map.py checks every route of the registry's
  # auth function is below it.
  auth_path_prefix = "/v1/auth/"

  hsts_header = "Strict-Transport-Security: max-age=31536000"
}

resource "google_compute_global_address" "public" {
  name         = "${local.prefix}-public"
  description  = "IPv4 address of ${var.domain}: point its DNS A record here."
  address_type = "EXTERNAL"
  ip_version   = "IPV4"

  depends_on = [google_project_service.enabled]
}

# Google provisions the certificate once the domain resolves to the address above (it
# stays PROVISIONING until then). A new domain makes a new certificate before the old one
# is removed, so HTTPS never goes without one.
resource "google_compute_managed_ssl_certificate" "public" {
  name = "${local.prefix}-${substr(sha256(var.domain), 0, 10)}"

  managed {
    domains = [var.domain]
  }

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [google_project_service.enabled]
}

resource "google_compute_ssl_policy" "public" {
  name            = "${local.prefix}-tls"
  description     = "TLS 1.2 or later with modern ciphers."
  profile         = "MODERN"
  min_tls_version = "TLS_1_2"

  depends_on = [google_project_service.enabled]
}

# ---------------------------------------------------------------------------------------
# Function backends
# ---------------------------------------------------------------------------------------

# Cloud Run functions (2nd gen) are Cloud Run services: a Cloud Run serverless NEG
# addresses each by its service name. The NEG does not need the service to exist yet
# (bootstrap with deploy_functions = false).
resource "google_compute_region_network_endpoint_group" "function" {
  for_each = local.routed_functions

  name                  = "${local.prefix}-${each.key}"
  description           = "Cloud Run service of the function ${each.key}."
  region                = var.region
  network_endpoint_type = "SERVERLESS"

  cloud_run {
    service = local.function_names[each.key]
  }

  depends_on = [google_project_service.enabled]
}

resource "google_compute_backend_service" "function" {
  for_each = local.routed_functions

  name                  = "${local.prefix}-${each.key}"
  description           = "Registry function ${each.key} (serverless NEG)."
  load_balancing_scheme = "EXTERNAL_MANAGED"
  protocol              = "HTTPS"
  enable_cdn            = false
  security_policy       = google_compute_security_policy.api.id

  # Serverless backends have no health check, port or timeout here: the function's own
  # timeout applies.
  backend {
    group = google_compute_region_network_endpoint_group.function[each.key].id
  }

  custom_response_headers = [local.hsts_header]

  log_config {
    enable      = true
    sample_rate = var.lb_log_sample_rate
  }
}

resource "google_compute_security_policy" "api" {
  name        = "${local.prefix}-api"
  description = "API and webhooks: per-IP rate limit on ${local.auth_path_prefix}*."
  type        = "CLOUD_ARMOR"

  rule {
    action      = "deny(403)"
    priority    = 900
    description = "Log4Shell probes (CVE-2021-44228): none of our code needs them."

    match {
      expr {
        expression = "evaluatePreconfiguredExpr('cve-canary')"
      }
    }
  }

  rule {
    action      = "throttle"
    priority    = 1000
    description = "Per-IP rate limit on the authentication routes."

    match {
      expr {
        # Decoded and lowercased, so an encoded or differently cased path is counted too.
        expression = "request.path.urlDecode().lower().startsWith('${local.auth_path_prefix}')"
      }
    }

    rate_limit_options {
      conform_action = "allow"
      exceed_action  = "deny(429)"
      enforce_on_key = "IP"

      rate_limit_threshold {
        count        = var.auth_rate_limit.count
        interval_sec = var.auth_rate_limit.interval_sec
      }
    }
  }

  rule {
    action      = "allow"
    priority    = 2147483647
    description = "Everything else: the functions authenticate their callers."

    match {
      versioned_expr = "SRC_IPS_V1"

      config {
        src_ip_ranges = ["*"]
      }
    }
  }

  depends_on = [google_project_service.enabled]
}

# ---------------------------------------------------------------------------------------
# URL maps, proxies, forwarding rules
# ---------------------------------------------------------------------------------------

resource "google_compute_url_map" "public" {
  name            = "${local.prefix}-public"
  description     = "One origin: registry routes to their functions, the rest to the console."
  default_service = google_compute_backend_bucket.console.id

  host_rule {
    hosts        = ["*"]
    path_matcher = "platform"
  }

  path_matcher {
    name            = "platform"
    default_service = google_compute_backend_bucket.console.id

    # The first rule (lowest priority number) with a matching match rule wins; the
    # generator orders them as the local gateway resolves overlapping paths.
    dynamic "route_rules" {
      for_each = var.url_map_routes

      content {
        priority = route_rules.value.priority
        service  = google_compute_backend_service.function[route_rules.value.function].id

        dynamic "match_rules" {
          for_each = route_rules.value.matches

          content {
            full_path_match     = match_rules.value.full_path
            path_template_match = match_rules.value.path_template
            prefix_match        = match_rules.value.prefix
          }
        }
      }
    }
  }

  # GCP refuses an update that routes one of these sample requests elsewhere.
  dynamic "test" {
    for_each = var.url_map_tests

    content {
      description = test.value.function == null ? "console" : "function ${test.value.function}"
      host        = var.domain
      path        = test.value.path
      service     = test.value.function == null ? google_compute_backend_bucket.console.id : google_compute_backend_service.function[test.value.function].id
    }
  }

  lifecycle {
    precondition {
      condition     = alltrue([for name in local.routed_functions : lookup(local.public_functions, name, false)])
      error_message = "url_map_routes routes to a function that is not a public HTTP function of var.functions: run `smsctl terraform-inputs`."
    }
  }
}

resource "google_compute_target_https_proxy" "public" {
  name             = "${local.prefix}-https"
  url_map          = google_compute_url_map.public.id
  ssl_certificates = [google_compute_managed_ssl_certificate.public.id]
  ssl_policy       = google_compute_ssl_policy.public.id
}

resource "google_compute_global_forwarding_rule" "https" {
  name                  = "${local.prefix}-https"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  ip_protocol           = "TCP"
  ip_address            = google_compute_global_address.public.address
  port_range            = "443"
  target                = google_compute_target_https_proxy.public.id
}

# Plain HTTP only redirects; 308 keeps the method and body of a POST.
resource "google_compute_url_map" "http_redirect" {
  name        = "${local.prefix}-http-redirect"
  description = "http:// to https://"

  default_url_redirect {
    https_redirect         = true
    redirect_response_code = "PERMANENT_REDIRECT"
    strip_query            = false
  }
}

resource "google_compute_target_http_proxy" "http_redirect" {
  name    = "${local.prefix}-http"
  url_map = google_compute_url_map.http_redirect.id
}

resource "google_compute_global_forwarding_rule" "http" {
  name                  = "${local.prefix}-http"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  ip_protocol           = "TCP"
  ip_address            = google_compute_global_address.public.address
  port_range            = "80"
  target                = google_compute_target_http_proxy.http_redirect.id
}

# ---------------------------------------------------------------------------------------
# DNS (optional: when the domain's zone is in Cloud DNS in this project)
# ---------------------------------------------------------------------------------------

resource "google_dns_record_set" "public" {
  count = var.dns_managed_zone == null ? 0 : 1

  managed_zone = var.dns_managed_zone
  name         = "${var.domain}."
  type         = "A"
  ttl          = 300
  rrdatas      = [google_compute_global_address.public.address]

  depends_on = [google_project_service.enabled]
}
