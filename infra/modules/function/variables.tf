variable "project_id" {
  description = "Project of the function."
  type        = string
}

variable "region" {
  description = "Region of the function."
  type        = string
}

variable "name" {
  description = "Name of the function (and of its Cloud Run service)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,47}[a-z0-9]$", var.name))
    error_message = "name must be a valid Cloud Run service name (lowercase, digits, '-', at most 49 characters)."
  }
}

variable "description" {
  description = "Description of the function."
  type        = string
  default     = null
}

variable "runtime" {
  description = "Cloud Functions runtime."
  type        = string
  default     = "python312"
}

variable "entry_point" {
  description = "Name of the Python callable in main.py of the source zip."
  type        = string
}

variable "source_bucket" {
  description = "GCS bucket of the source zip."
  type        = string
}

variable "source_object" {
  description = "GCS object of the source zip, e.g. functions/<name>-<version>.zip."
  type        = string
}

variable "memory" {
  description = "Memory of an instance, e.g. 256Mi."
  type        = string
}

variable "cpu" {
  description = "vCPUs of an instance, as a string, e.g. \"0.167\" or \"1\"."
  type        = string
}

variable "timeout_seconds" {
  description = "Request timeout."
  type        = number
}

variable "min_instances" {
  description = "Instances kept warm."
  type        = number
  default     = 0
}

variable "max_instances" {
  description = "Upper bound of instances."
  type        = number
}

variable "max_concurrency" {
  description = "Concurrent requests per instance (more than 1 needs at least 1 vCPU)."
  type        = number
  default     = 1
}

variable "service_account_email" {
  description = "Service account the function runs as."
  type        = string
}

variable "build_service_account" {
  description = "Service account of the build (projects/<project>/serviceAccounts/<email>); null: the project default."
  type        = string
  default     = null
}

variable "docker_repository" {
  description = "Artifact Registry repository of the built image (projects/<p>/locations/<r>/repositories/<name>); null: gcf-artifacts."
  type        = string
  default     = null
}

variable "vpc_connector" {
  description = "Serverless VPC Access connector (id) used for egress to private ranges."
  type        = string
}

variable "vpc_connector_egress_settings" {
  description = "What goes through the connector: PRIVATE_RANGES_ONLY (Cloud SQL, Memorystore) or ALL_TRAFFIC."
  type        = string
  default     = "PRIVATE_RANGES_ONLY"

  validation {
    condition     = contains(["PRIVATE_RANGES_ONLY", "ALL_TRAFFIC"], var.vpc_connector_egress_settings)
    error_message = "vpc_connector_egress_settings must be PRIVATE_RANGES_ONLY or ALL_TRAFFIC."
  }
}

variable "ingress_settings" {
  description = "Network ingress: ALLOW_INTERNAL_ONLY (Pub/Sub push, Cloud Tasks), ALLOW_INTERNAL_AND_GCLB (behind the load balancer) or ALLOW_ALL."
  type        = string
  default     = "ALLOW_INTERNAL_ONLY"

  validation {
    condition     = contains(["ALLOW_ALL", "ALLOW_INTERNAL_ONLY", "ALLOW_INTERNAL_AND_GCLB"], var.ingress_settings)
    error_message = "ingress_settings must be ALLOW_ALL, ALLOW_INTERNAL_ONLY or ALLOW_INTERNAL_AND_GCLB."
  }
}

variable "environment_variables" {
  description = "Plain environment variables."
  type        = map(string)
  default     = {}
}

variable "secret_environment_variables" {
  description = "Environment variable name => Secret Manager secret id (same project, version \"latest\")."
  type        = map(string)
  default     = {}
}

variable "public" {
  description = "Grant roles/run.invoker to allUsers: the function authenticates its callers itself."
  type        = bool
  default     = false
}

variable "invoker_members" {
  description = "For a private function: static key => IAM member granted roles/run.invoker on its Cloud Run service."
  type        = map(string)
  default     = {}
}

variable "labels" {
  description = "Labels of the function."
  type        = map(string)
  default     = {}
}
