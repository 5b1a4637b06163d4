"""Every HTML blueprint, in one list that create_app registers."""
from permits.web import auth_views, labels, main, registry

ALL = [labels.bp, main.bp, auth_views.bp, registry.bp]

from permits.web import permits as permit_pages  # noqa: E402
from permits.web import review, verify  # noqa: E402

ALL += [permit_pages.bp, review.bp, verify.bp]

from permits.web import catalogue  # noqa: E402

ALL += [catalogue.bp]

from permits.web import reports  # noqa: E402

ALL += [reports.bp]

from permits.web import shipments  # noqa: E402

ALL += [shipments.bp]
