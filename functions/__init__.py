"""One module per Cloud Function.

Composition root: the campaigns package plugs into the send path here (messaging does not
import campaigns), so every function that sends, records an outcome or takes a status
callback settles campaign audience rows and honours a paused campaign at the claim."""

from shared.campaigns.send_hooks import install as _install_campaign_send_hooks

_install_campaign_send_hooks()
