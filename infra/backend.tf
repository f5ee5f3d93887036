# State lives in a GCS bucket created before the first `terraform init` (see README.md).
# Partial configuration: the bucket (and, per environment, the prefix) are given at init:
#   terraform init -backend-config=bucket=STATE_BUCKET [-backend-config=prefix=smsplatform/prod]
terraform {
  backend "gcs" {
    prefix = "smsplatform/prod"
  }
}
