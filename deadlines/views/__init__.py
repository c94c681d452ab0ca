"""Court-date pages: the court's docket calendar, hearings, deadlines, closure days, the
notifications inbox and alert preferences.

Thin views: a selector reads, one service writes, then the browser is redirected (POST/redirect/
GET) or the page is shown again with the submitted form. Who may do what comes from
cases.permissions; the services check it again. A hearing or deadline the user may not see
answers 404 like a missing one (deadlines.selectors decide, in SQL); an action they may not take
answers 403 and changes nothing. A service's ValidationError is shown next to the fields it names
(400); a move the current state does not allow is shown on top of the page (409).

Every time on these pages is in the court's time zone, labelled with its abbreviation, and a
time entered in a form is read on the court's wall clock.

By subject: `common` (what the pages share), `case_section` (the case page's court dates),
`docket`, `hearings`, `deadlines`, `courts` (closure days and courtrooms), `notifications`
(the inbox and alert preferences).
"""

from deadlines.views.case_section import court_dates_section as court_dates_section
