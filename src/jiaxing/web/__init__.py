"""The Jiaxing pack's web pages: the policy finder over its policies, and the self-service and
officials' pages of its schemes. They extend the platform's layout (``base.html``) and are mounted
through the pack's ``pages``."""
