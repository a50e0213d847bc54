"""Quickstart demo activity: the year 2023 of the seed's 18 projects, January to December.

``load_demo_activity`` runs after the seed document is imported as budget year 2023 and the
demo users exist. It goes through the same services a user would (budgets as the finance
bureau, spending and values as the owner, review as owner → reviewer → finance), so the
audit log and the workflow history look exactly as in real use. It only flushes; the caller
commits. Everything is fixed data: two runs on two machines give the same demo.

The first half (entries and spending dated up to 2023-06-30) is what the mid-year 双监控
(as of 2023-06-30, 序时进度 50%) shows; the second half never changes that picture, since a
snapshot only counts what is dated on or before its as-of date and nothing entered later
supersedes a first-half entry:

- budget: most projects on pace (~50%); 会议信号 ahead (annual signal rent paid in January);
  维修, 节能办 and 综合事务 slow (yellow); 公车购置 (procurement pending) and 消防 (works
  delayed) far behind (red).
- indicators: mostly green; yellow for prepaid annual costs above their pro-rated share, a
  late month of wages, a 部分达成 or two and a few rates short of target; red for the
  delayed 消防 works and the 环境形象 rate; blue for the 节能宣传用品 bought for 节能宣传周;
  grey for satisfaction surveys not yet run and a few items settled later in the year. The
  one-off deadline "11月底前" stays open (not yet due, so green).
- review: 1–5月 approved for most projects, 6月 waiting at the reviewer or at finance for
  some, and one period (维修 5月) returned by finance with a comment.
- one correction (集中办公区用水吨数, 3月) superseding a mistyped meter reading.

The second half (July–December) carries each story to the year end, for the 绩效自评 that
prefills from the whole year's record:

- cumulative counts reach or nearly reach their annual targets (印刷条幅 370 of 400), costs
  stay within their limits; level indicators get a year-end value; the satisfaction surveys
  are run in December; qualitative indicators get a year-end tier with a note; the monthly
  wage deadline gets July–December; the one-off "11月底前" rent payment is done late
  (12月5日, funds arrived late).
- spending reaches 87–100% of the budget for most projects; 节能办 ~80%, 消防 ~60% (less than
  half the hydrants replaced, the rest deferred to 2024) and 公车购置 ~34% (the second batch of
  cars failed in procurement, re-tendered in 2024).
- review: 7–11月 approved for most projects (消防 and 综合事务 lag behind), 12月 waiting at
  the reviewer or at finance for some; still exactly one returned period (维修 5月).

The 2023 绩效自评 (evaluation.open_forms) then grades 16 projects 优, 公车购置 良 and 消防 中.

Stock-type quantities (保障办公区个数 7个, 电梯部数 4部 …) are inferred as cumulative by the
importer; the demo owner switches them to 水平型 (set_accumulation), as a user would, before
entering the value once.
"""

from tracker_demo.activity import load_demo_activity

__all__ = ["load_demo_activity"]
