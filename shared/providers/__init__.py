"""Adapters for the outside world: SMS providers (Twilio, simulator); Stripe and Anthropic later."""
