"""All models, imported here so that Alembic and the app see one metadata."""

from tracker.models.adjustments import TargetAdjustment, TargetVersion  # noqa: F401
from tracker.models.api import ApiToken  # noqa: F401
from tracker.models.evaluation import EvaluationForm, EvaluationRow, ScoreChange  # noqa: F401
from tracker.models.job_requests import REQUEST_STATES, JobRequest  # noqa: F401
from tracker.models.monitoring import (  # noqa: F401
    JobCompletion,
    JobRun,
    MonitoringRow,
    MonitoringSnapshot,
    Notification,
)
from tracker.models.org import (  # noqa: F401
    GLOBAL_ROLES,
    ROLE_ADMIN,
    ROLE_FINANCE,
    ROLE_LABELS,
    ROLE_OWNER,
    ROLE_REVIEWER,
    ROLES,
    BudgetYear,
    Department,
    User,
)
from tracker.models.payments import PaymentImport, ProjectPaymentCode  # noqa: F401
from tracker.models.progress import (  # noqa: F401
    TIERS,
    AppSetting,
    AuditLog,
    Evidence,
    Expenditure,
    ProgressEntry,
    Spending,
    Submission,
    WorkflowEvent,
)
from tracker.models.projects import (  # noqa: F401
    ACCUMULATIONS,
    DepartmentBudget,
    Indicator,
    Project,
    SourceDocument,
)
from tracker.models.security import LoginAttempt, LoginSession  # noqa: F401
