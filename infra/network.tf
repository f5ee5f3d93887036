# One VPC for the platform. Nothing in it has a public IP: the functions reach Cloud SQL
# and Memorystore (private services access) through the Serverless VPC Access connector.

resource "google_compute_network" "main" {
  name                    = "${local.prefix}-vpc"
  auto_create_subnetworks = false
  routing_mode            = "REGIONAL"

  depends_on = [google_project_service.enabled]
}

resource "google_compute_subnetwork" "main" {
  name                     = "${local.prefix}-${var.region}"
  region                   = var.region
  network                  = google_compute_network.main.id
  ip_cidr_range            = var.subnet_cidr
  private_ip_google_access = true

  log_config {
    aggregation_interval = "INTERVAL_10_MIN"
    flow_sampling        = 0.5
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

# A /28 used only by the connector's instances.
resource "google_compute_subnetwork" "connector" {
  name                     = "${local.prefix}-connector"
  region                   = var.region
  network                  = google_compute_network.main.id
  ip_cidr_range            = var.connector_cidr
  private_ip_google_access = true

  log_config {
    aggregation_interval = "INTERVAL_10_MIN"
    flow_sampling        = 0.5
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

# Nothing in the VPC accepts connections from outside it. The connector's own rules
# (health checks, created by Google with a higher priority) still apply.
resource "google_compute_firewall" "deny_all_ingress" {
  name        = "${local.prefix}-deny-all-ingress"
  network     = google_compute_network.main.id
  direction   = "INGRESS"
  priority    = 65534
  description = "Default deny of every ingress connection; more specific rules take precedence."

  source_ranges = ["0.0.0.0/0"]

  deny {
    protocol = "all"
  }

  log_config {
    metadata = "INCLUDE_ALL_METADATA"
  }
}

# --- Private services access (Cloud SQL private IP, Memorystore, Cloud Build pool) ---

resource "google_compute_global_address" "private_services" {
  name          = "${local.prefix}-private-services"
  purpose       = "VPC_PEERING"
  address_type  = "INTERNAL"
  prefix_length = var.private_services_prefix_length
  network       = google_compute_network.main.id
}

resource "google_service_networking_connection" "private_services" {
  network                 = google_compute_network.main.id
  service                 = "servicenetworking.googleapis.com"
  reserved_peering_ranges = [google_compute_global_address.private_services.name]

  # Cloud SQL / Memorystore keep the peering busy for a while after their deletion;
  # abandoning it avoids a failed destroy (the range is released with the network).
  deletion_policy = "ABANDON"
}

# --- Serverless VPC Access: the functions' egress to private ranges ---

resource "google_vpc_access_connector" "main" {
  # Connector names are at most 25 characters.
  name          = substr("${local.prefix}-conn", 0, 25)
  region        = var.region
  machine_type  = var.connector_machine_type
  min_instances = var.connector_min_instances
  max_instances = var.connector_max_instances

  subnet {
    name       = google_compute_subnetwork.connector.name
    project_id = var.project_id
  }
}
