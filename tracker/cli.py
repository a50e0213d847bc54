"""flask commands: quickstart, import-doc, create-user."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from config import BASE_DIR
from tracker import edge
from tracker.domain import DomainError
from tracker.domain.vocab import Role
from tracker.edge import transaction
from tracker.extensions import db
from tracker.importers import parse_file
from tracker.models import ROLE_LABELS, Department, User
from tracker.services import accounts
from tracker.services.imports import apply_import, plan_import

SEED_FILE = BASE_DIR / "sample_data" / "seed_2023_430.txt"

DEMO_ACCOUNTS = [
    # username, password, role, department ("seed" = the seed document's department)
    # display names are people's names: the header adds role and department itself
    ("owner430", "Owner2023", Role.OWNER, "seed", "张敏"),
    ("reviewer430", "Review2023", Role.REVIEWER, "seed", "李建国"),
    ("finance", "Finance2023", Role.FINANCE, "bureau", "王芳"),
    ("admin", "Admin2023", Role.ADMIN, "bureau", "赵磊"),
]


def _fail(message: str) -> None:
    click.echo(click.style(f"错误：{message}", fg="red"), err=True)
    sys.exit(1)


def import_document(path: Path, *, year: int, dry_run: bool, department_code: str | None = None, echo=click.echo):
    started = time.perf_counter()
    try:
        data = path.read_bytes()
    except OSError as exc:
        _fail(f"无法读取文件“{path}”：{exc.strerror}")
    department = None
    if department_code:
        department = db.session.scalar(select(Department).where(Department.code == department_code))
        if department is None:
            _fail(f"没有编码为“{department_code}”的部门。")
    try:
        with transaction() as unit:
            from tracker.importers.limits import ImportLimits

            doc = parse_file(path.name, data, limits=ImportLimits.from_config(current_app.config))
            plan = plan_import(doc, year=year, filename=path.name, data=data, department=department)
            for line in plan.summary_lines():
                echo(line)
            if dry_run:
                unit.discard()
                echo("（试运行：未写入任何数据）")
            elif plan.needs_department:
                unit.discard()
                _fail(f"“{path.name}”中没有部门名称和编码：请用 --department 指定部门编码（未写入任何数据）")
            else:
                source = apply_import(plan)
                echo("已写入。" if source else "无变化，未写入。")
    except DomainError as exc:
        _fail(f"“{path.name}”：{exc}（未写入任何数据）")
    echo(f"用时 {time.perf_counter() - started:.2f} 秒")
    return plan


def _collect_files(paths) -> list[Path]:
    """Files given, and the documents (and .zip) inside folders given, in name order."""
    from tracker.services.imports import DOCUMENT_SUFFIXES

    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file()
                    and not p.name.startswith((".", "~$"))
                    and p.suffix.lower() in (*DOCUMENT_SUFFIXES, ".zip")
                )
            )
        else:
            out.append(path)
    if not out:
        _fail("没有找到可导入的文件（.txt/.docx/.xlsx/.pdf/.html/.zip）。")
    return out


def import_many(files: list[Path], *, year: int, dry_run: bool, department_code: str | None = None, echo=click.echo):
    """Several files (a folder, a .zip): each file its own unit, one report line per file."""
    from tracker.importers.limits import ImportLimits
    from tracker.services.imports import OUTCOME_LABELS, PREVIEW_LABELS, batch_summary, expand_uploads, import_batch

    started = time.perf_counter()
    uploads = []
    for path in files:
        try:
            uploads.append((path.name, path.read_bytes()))
        except OSError as exc:
            _fail(f"无法读取文件“{path}”：{exc.strerror}")
    limits = ImportLimits.from_config(current_app.config)
    department = None
    if department_code:
        department = db.session.scalar(select(Department).where(Department.code == department_code))
        if department is None:
            _fail(f"没有编码为“{department_code}”的部门。")
    try:
        items = expand_uploads(uploads, limits)
    except DomainError as exc:
        _fail(str(exc))
    departments = {i.name: department for i in items} if department else {}

    def progress(stage, index, total, name):
        echo(f"[{stage} {index}/{total}] {name}")

    def after_file(outcome):
        db.session.commit()  # each file is its own unit: what is written stays written

    outcomes = import_batch(
        items,
        year=year,
        limits=limits,
        dry_run=dry_run,
        departments=departments,
        progress=progress,
        after_file=None if dry_run else after_file,
    )
    if dry_run:
        db.session.rollback()
    labels = PREVIEW_LABELS if dry_run else OUTCOME_LABELS
    for o in outcomes:
        if o.status == "refused":
            echo(click.style(f"{labels[o.status]}：{o.name} —— {o.reason}", fg="red"))
        else:
            dept = f"{o.department_code or ''}{o.department}" or "（文件中未写明部门，请用 --department 指定）"
            echo(
                f"{labels[o.status]}：{o.name} —— {dept}，{o.projects} 个项目，{o.indicators} 条指标，"
                f"未导入的行 {len(o.skipped)} 处，未识别的指标值 {len(o.not_understood)} 条"
            )
    echo(batch_summary(outcomes) + ("（试运行：未写入任何数据）" if dry_run else ""))
    echo(f"用时 {time.perf_counter() - started:.2f} 秒")
    return outcomes


def register(app: Flask) -> None:
    _register_data_commands(app)
    _register_job_commands(app)
    _register_demo_commands(app)


def _register_data_commands(app: Flask) -> None:
    @app.cli.command("import-doc")
    @click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
    @click.option("--year", type=int, required=True, help="预算年度，例如 2023")
    @click.option("--dry-run", is_flag=True, help="只显示将导入的内容，不写入")
    @click.option("--department", "department_code", help="文件中没有部门信息时，导入到此编码的部门")
    def import_doc(paths: tuple[Path, ...], year: int, dry_run: bool, department_code: str | None):
        """导入部门预算公开文件中的项目绩效目标表（.txt / .docx / .xlsx / .pdf / .html，可为多个文件、文件夹或 .zip）。"""
        files = _collect_files(paths)
        if len(files) == 1 and files[0].suffix.lower() != ".zip":
            import_document(files[0], year=year, dry_run=dry_run, department_code=department_code)
        else:
            import_many(files, year=year, dry_run=dry_run, department_code=department_code)

    @app.cli.command("create-user")
    @click.option("--username", prompt="用户名")
    @click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.ADMIN.value, show_default=True)
    @click.option("--department", "department_name", help="所属部门名称（默认财政局）")
    @click.option("--display-name", default="")
    @click.password_option("--password", prompt="密码", confirmation_prompt="再次输入密码")
    def create_user(username, role, department_name, display_name, password):
        """创建用户（例如第一个管理员）。"""
        if department_name:
            dept = db.session.scalar(select(Department).where(Department.name == department_name))
            if dept is None:
                _fail(f"没有名为“{department_name}”的部门。")
        else:
            dept = accounts.finance_bureau()
        try:
            with transaction():
                user = accounts.create_user(
                    username=username, password=password, role=role, department=dept, display_name=display_name
                )
        except DomainError as exc:
            _fail(str(exc))
        click.echo(f"已创建用户 {user.username}（{user.role_label}，{dept.name}）。")


def _register_job_commands(app: Flask) -> None:
    @app.cli.group("scheduler")
    def scheduler_group():
        """定时任务进程。"""

    @scheduler_group.command("run")
    def scheduler_run():
        """启动定时任务进程（独立进程，勿在 Web 进程内运行）。"""
        import logging

        from tracker.scheduler import build

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)  # no line per poll
        click.echo("定时任务进程已启动（Ctrl+C 停止）。")
        try:
            build(app).start()
        except (KeyboardInterrupt, SystemExit):
            click.echo("定时任务进程已停止。")

    @scheduler_group.command("tick")
    def scheduler_tick():
        """处理一次页面提交的作业（运行双监控、生成自评表），然后退出。"""
        from tracker import job_queue

        done = job_queue.tick()
        click.echo(f"已处理 {len(done)} 个作业请求。")

    @app.cli.command("monitor")
    @click.option("--as-of", "as_of", required=True, help="监控截止日期，例如 2023-06-30")
    def monitor(as_of: str):
        """运行双监控：为该日期所属年度的每个项目生成监控表（同一日期只运行一次）。"""
        from datetime import date

        from tracker.services import jobs

        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            _fail(f"“{as_of}”不是有效日期（应为 2023-06-30 的形式）。")
        started = time.perf_counter()
        with click.progressbar(length=1, label="正在生成监控表") as bar:
            state = {"total": None}

            def progress(index, total, project):
                if state["total"] is None:
                    bar.length = total
                    state["total"] = total
                bar.update(1)

            try:
                run = edge.run_job(jobs.monitoring_job(day, progress_cb=progress), trigger="cli")
            except DomainError as exc:
                _fail(str(exc))
        click.echo(f"{run.status}：{run.counts}（用时 {time.perf_counter() - started:.2f} 秒）")

    @app.cli.command("run-job")
    @click.argument("job", type=click.Choice(["monthly_reminder", "deadline_check", "form_deadlines", "daily"]))
    @click.option("--date", "day", required=True, help="作为“今天”的日期，例如 2023-07-01")
    def run_job(job: str, day: str):
        """手动运行某个定时作业（同一期间只运行一次）。"""
        from datetime import date

        from tracker.services import jobs

        today = date.fromisoformat(day)
        runs = (
            edge.run_daily(today, trigger="cli")
            if job == "daily"
            else [edge.run_job(getattr(jobs, f"{job}_job")(today), trigger="cli")]
        )
        for run in runs:
            click.echo(f"{run.job} {run.period_key}: {run.status} {run.counts}")

    @app.cli.command("evaluate")
    @click.option("--year", type=int, required=True, help="预算年度，例如 2023")
    def evaluate(year: int):
        """生成并计分该年度所有项目的绩效自评表（同一年度只生成一次），打印得分。"""
        from tracker.services import evaluation, jobs

        started = time.perf_counter()
        try:
            run = edge.run_job(jobs.evaluation_job(year), trigger="cli")
        except DomainError as exc:
            _fail(str(exc))
        click.echo(f"{run.status}：{run.counts}（用时 {time.perf_counter() - started:.2f} 秒）")
        for row in evaluation.summary_all(year):
            click.echo(f"  {row.total_score:>6} {row.grade}  {row.project.name}")

    @app.cli.command("backup")
    @click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        help="备份文件（.tar.gz），默认 instance/backups/tracker-时间.tar.gz",
    )
    def backup_command(out: Path | None):
        """备份数据库和佐证材料为一个 .tar.gz（应用运行时也可执行，内容一致）。"""
        from tracker import backup

        started = time.perf_counter()
        try:
            result = backup.backup(out)
        except backup.BackupError as exc:
            _fail(str(exc))
        m = result.manifest
        size = result.path.stat().st_size / 1024 / 1024
        click.echo(
            f"已备份到 {result.path}（{size:.1f} MB）：{m['db_kind']} 数据库（结构版本 {m['alembic_revision']}，"
            f"{sum(m['tables'].values())} 行），{len(m['files'])} 个文件，用时 {time.perf_counter() - started:.1f} 秒。"
        )

    @app.cli.command("restore")
    @click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="确认用备份覆盖当前数据库和佐证材料")
    def restore_command(archive: Path, yes: bool):
        """从备份恢复数据库和佐证材料（先停止 Web 和定时任务进程）。"""
        from tracker import backup

        started = time.perf_counter()
        try:
            manifest = backup.read_manifest(archive)
            backup.check_restorable(manifest)
            click.echo(
                f"备份时间 {manifest['created_at']}，{manifest['db_kind']} 数据库 {sum(manifest['tables'].values())} 行，"
                f"{len(manifest['files'])} 个文件。"
            )
            if not yes and (
                not sys.stdin.isatty()
                or not click.confirm("恢复会覆盖当前的数据库和佐证材料，确定继续吗？", default=False)
            ):
                _fail("未确认，未做任何更改（非交互执行时请加 --yes）。")
            backup.restore(archive, confirmed=True)
        except backup.BackupError as exc:
            _fail(str(exc))
        click.echo(f"已恢复（用时 {time.perf_counter() - started:.1f} 秒）。")


def _register_demo_commands(app: Flask) -> None:
    @app.cli.group("demo")
    def demo_group():
        """演示与基准数据。"""

    @demo_group.command("county")
    @click.option("--scale", type=float, default=1.0, show_default=True, help="规模（1.0 = 151 个部门、2500 个项目）")
    @click.option("--seed", type=int, default=1, show_default=True, help="随机种子（同一种子生成相同的数据）")
    @click.option("--runs/--no-runs", default=True, show_default=True, help="生成后运行 6月30日双监控和年度自评")
    def demo_county(scale: float, seed: int, runs: bool):
        """生成一个县的模拟数据（部门、经导入的绩效目标表、全年完成值和支出），用于性能基准。"""
        from tracker_demo import county

        try:
            counts = county.generate(scale, seed, runs=runs, echo=click.echo)
        except (DomainError, RuntimeError) as exc:
            db.session.rollback()
            _fail(str(exc))
        click.echo(f"已生成：{counts}")

    @app.cli.command("quickstart")
    @click.option("--no-migrate", is_flag=True, help="不执行数据库迁移（已迁移时使用）")
    def quickstart(no_migrate: bool):
        """建库、导入演示数据（种子文件作为 2023 年度）并创建演示账号。"""
        if not no_migrate:
            from flask_migrate import upgrade

            upgrade(directory=str(BASE_DIR / "migrations"))
        load_demo(echo=click.echo)


def load_demo(echo=print) -> None:
    """Idempotent: running it again keeps existing data and accounts. One unit of work."""
    with transaction():
        _load_demo(echo)


def _load_demo(echo) -> None:
    bureau = accounts.finance_bureau()
    import_document(SEED_FILE, year=2023, dry_run=False, echo=echo)
    seed_dept = db.session.scalar(select(Department).where(Department.code == "430"))
    year = accounts.get_or_create_year(2023)
    accounts.set_current_year(year)
    echo("")
    echo("演示账号（用户名 / 密码 / 角色）：")
    for username, password, role, where, display in DEMO_ACCOUNTS:
        user = db.session.scalar(select(User).where(User.username == username))
        note = ""
        if user is None:
            accounts.create_user(
                username=username,
                password=password,
                role=role,
                department=seed_dept if where == "seed" else bureau,
                display_name=display,
            )
        elif not user.check_password(password):
            note = "（已存在，密码已被修改）"
        place = seed_dept.name if where == "seed" else bureau.name
        echo(f"  {username:<12} {password:<12} {ROLE_LABELS[role]}（{place}，{display}）{note}")
    # The demo data lives outside the app's import path and is loaded only here.
    from tracker_demo import load_demo_activity
    from tracker_demo.years import load_demo_years  # 2024 derived from the seed + one 目标调整

    load_demo_activity(echo=echo)
    load_demo_years(SEED_FILE, echo=echo)
