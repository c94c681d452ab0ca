"""The labels of cases/data/profiles.json that are shown through gettext: the checklist's items,
the court's grounds for rejecting or adjusting, the plea procedures, the grounds for marking a
case complex (cases.profiles.listed_label translates each `label` when it is shown). Data
cannot be marked for translation, so they are listed here for makemessages;
tests/cases/test_jurisdiction_profiles.py holds this list to the file, and a new label in the
file needs its line here and its translation.
"""

from django.utils.translation import gettext_noop

PROFILE_LABELS = (
    gettext_noop(
        "The government may use the defendant's statements under oath in a prosecution "
        "for perjury or false statement"
    ),
    gettext_noop(
        "Rights explained (to plead not guilty, a jury trial, counsel, confrontation, "
        "silence, to testify and call witnesses) and that the plea waives the trial "
        "rights"
    ),
    gettext_noop("The nature of each charge pled to, and the sentence recommended"),
    gettext_noop(
        "The maximum possible penalty, including imprisonment, fine, and term of supervised release"
    ),
    gettext_noop("Any mandatory minimum penalty"),
    gettext_noop(
        "Any forfeiture, the court's authority to order restitution, and the special assessment"
    ),
    gettext_noop(
        "The court calculates and considers the guideline range, possible departures and "
        "the factors of 18 U.S.C. 3553(a)"
    ),
    gettext_noop("The terms of the waiver of the right to appeal or collaterally attack"),
    gettext_noop(
        "Immigration consequences: a defendant who is not a citizen may be removed, "
        "denied citizenship and denied admission"
    ),
    gettext_noop("Employment consequences explained"),
    gettext_noop("Licence consequences explained"),
    gettext_noop("Fines and financial consequences explained"),
    gettext_noop("The defendant's ability to pay a fine was discussed with them"),
    gettext_noop("No force, threats or promises outside the agreement"),
    gettext_noop(
        "Procedural rights and the law on admitting guilt and accepting punishment explained"
    ),
    gettext_noop("The charge and the sentencing recommendation explained"),
    gettext_noop("The procedure the case will be tried under explained"),
    gettext_noop("The defendant's ability to pay the fine recommended was discussed with them"),
    gettext_noop("The defendant admits guilt and accepts punishment of their own will"),
    gettext_noop(
        "The accused's act is not a crime, or criminal responsibility is not to be pursued"
    ),
    gettext_noop("The accused admitted guilt and accepted punishment against their will"),
    gettext_noop("The accused denies the criminal facts charged"),
    gettext_noop("The charge in the indictment differs from the offence found at trial"),
    gettext_noop("Another circumstance that may affect a fair trial"),
    gettext_noop("The court finds the sentencing recommendation clearly inappropriate"),
    gettext_noop("The accused or defense counsel objects to the sentencing recommendation"),
    gettext_noop("Fast-track procedure"),
    gettext_noop("Summary procedure"),
    gettext_noop("Ordinary procedure"),
    gettext_noop("The limits on appeal that the agreement records"),
    gettext_noop("Joint crime"),
    gettext_noop("Long interval between the acts"),
    gettext_noop("Evidence hard to collect"),
)

# The citations the Chinese profiles show beside their items, in their review and in their
# warnings (cases.profiles.cited gives each in the reader's language).
PROFILE_CITATIONS = (
    gettext_noop("CPL art. 173(2)"),
    gettext_noop("CPL art. 174(1)"),
    gettext_noop("CPL arts. 174(1), 201(1)(2)"),
    gettext_noop("CPL arts. 173(2), 174"),
    gettext_noop("CPL arts. 214-221"),
    gettext_noop("CPL arts. 222-226"),
    gettext_noop("CPL part three, chapter II, section 1"),
    gettext_noop("CPL art. 201"),
    gettext_noop("CPL art. 201(1)(i)"),
    gettext_noop("CPL art. 201(1)(ii)"),
    gettext_noop("CPL art. 201(1)(iii)"),
    gettext_noop("CPL art. 201(1)(iv)"),
    gettext_noop("CPL art. 201(1)(v)"),
    gettext_noop("CPL art. 201(2)"),
    gettext_noop("Meng (2023); CPL art. 201"),
    gettext_noop("Meng (2023), doi:10.56397/LE.2023.09.04"),
    gettext_noop("SPC Provisions on Property Penalties (2000), art. 2"),
    gettext_noop("2019 Guiding Opinions on the leniency system, art. 33"),
    gettext_noop("Guiding Opinions on Sentencing for Common Crimes (2021), part II"),
)
