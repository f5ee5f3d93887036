# Memorystore for Redis: cache, rate limits, idempotency keys. Reached over private
# services access, with AUTH and TLS (server authentication, port 6378).

resource "google_redis_instance" "main" {
  name           = "${local.prefix}-redis"
  region         = var.region
  tier           = "STANDARD_HA"
  memory_size_gb = var.redis_memory_size_gb
  redis_version  = "REDIS_7_0"
  display_name   = "SMS platform (${var.environment})"

  authorized_network = google_compute_network.main.id
  connect_mode       = "PRIVATE_SERVICE_ACCESS"
  reserved_ip_range  = google_compute_global_address.private_services.name

  auth_enabled            = true
  transit_encryption_mode = "SERVER_AUTHENTICATION"

  persistence_config {
    persistence_mode    = "RDB"
    rdb_snapshot_period = "ONE_HOUR"
  }

  maintenance_policy {
    weekly_maintenance_window {
      day = "SUNDAY"
      start_time {
        hours   = 5
        minutes = 0
        seconds = 0
        nanos   = 0
      }
    }
  }


  depends_on = [google_service_networking_connection.private_services]
}
