"""Platform plumbing derived from the registry: health, OpenAPI, Terraform inputs, gateway."""
