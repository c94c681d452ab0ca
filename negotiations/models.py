"""Offers, counteroffers and plea agreements arrive with the negotiation issue."""
