"""Negotiation pages: the rounds of a case, composing and answering offers, defense suggestions,
and the plea agreement with its checklist, signatures and the court's review.

Thin views: a selector reads, one service writes, then the browser is redirected (POST/redirect/
GET) or the page is shown again with the submitted form. What a person may see is decided by the
selectors: an offer they may not read answers 404 like a missing one, and the court asking for
the negotiation of a case it hears answers 403 with the reason (it sees the agreement once it is
submitted). Before a form is read, the view asks cases.permissions whether the person's role may
act at all (403); the service then decides the rest. Its ValidationError is shown next to the
fields it names (400); a move the current state does not allow is shown on top of the page (409).

Every time on these pages is in the court's time zone, and the expiry entered in a form is read
in it.

By subject: `common` (what the pages share), `negotiation` (the negotiation page, suggestions,
and the sections of the case page and the discovery log), `offers`, `agreements`.
"""

from negotiations.views.negotiation import discovery_offers_section as discovery_offers_section
from negotiations.views.negotiation import negotiation_section as negotiation_section
