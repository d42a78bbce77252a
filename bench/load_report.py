"""What ``bench/load.py`` prints: per configuration a table of reruns, the CPU, the kill's
aftermath, and one closing line (``replicas=3 visitors=32 trainings=2 p50_s=... p95_s=...``)."""

from __future__ import annotations

from bench.load_users import Figures, percentile


def report(figures: Figures, emulate: bool, priority: str) -> None:
    concept = figures.concept()
    how = (f"{figures.trainings} emulated (Keras processes at "
           f"{'SCHED_IDLE' if priority == 'idle' else 'nice 10'}, "
           f"{figures.epochs_emulated} epochs done)" if emulate and figures.trainings else
           f"{figures.trainings} on the Train page ({figures.train_presses} Train presses)"
           if figures.trainings else "none")
    where = (f"{figures.replicas} servers behind nginx" if figures.replicas else
             "one server, no balancer")
    print(f"\n== {figures.visitors} visitors, {where}, trainings: {how}")
    print(f"  {'action':<18}{'page':<14}{'count':>6}{'p50 s':>8}{'p95 s':>8}")
    groups: dict[tuple[str, str], list[float]] = {}
    for action, page, seconds in figures.reruns:
        key = (action, page if page in ("draw", "train_mnist", "home") else "concept pages")
        groups.setdefault(key, []).append(seconds)
    for (action, page), values in sorted(groups.items()):
        print(f"  {action:<18}{page:<14}{len(values):>6}{percentile(values, 0.5):>8.2f}"
              f"{percentile(values, 0.95):>8.2f}")
    print(f"  concept-page reruns: {len(concept)}, p50 {percentile(concept, 0.5):.2f} s, "
          f"p95 {percentile(concept, 0.95):.2f} s")
    if figures.replicas:
        spread = sorted(figures.sessions_per_server().items())
        print("  sessions per server at the end: "
              + ", ".join(f"{name} {count}" for name, count in spread))
    print("  CPU, share of all cores: " + ", ".join(f"{name} {share:.1%}"
                                                    for name, share in figures.cpu.items())
          + f"; the machine's load average {figures.load_average:.1f} (other work counts too)")
    if figures.kill is not None:
        report_kill(figures)
    print(f"  errors={len(figures.errors)}")
    for error in figures.errors[:10]:
        print(f"    {error}")
    print(summary(figures))


def connects_while_down(figures: Figures) -> list[str | None]:
    """The server each new session went to while the killed one was down."""
    kill = figures.kill
    back = kill.restarted_after_s
    down_until = kill.at + (back if back is not None else float("inf"))
    return [server for at, server in figures.connects if kill.at <= at < down_until]


def report_kill(figures: Figures) -> None:
    kill = figures.kill
    back = kill.restarted_after_s
    while_down = connects_while_down(figures)
    print(f"  kill -9 of {kill.server} (sessions then: "
          + ", ".join(f"{n} {c}" for n, c in sorted(kill.sessions.items())) + ")")
    print("    restarted and answering after "
          + (f"{back:.1f} s" if back is not None else "- (not within 120 s)"))
    print(f"    new sessions while it was down: {len(while_down)}, "
          f"of which on {kill.server}: {while_down.count(kill.server)}")
    moved = ", ".join(f"{n} {c}" for n, c in sorted(kill.moved_to.items()))
    print(f"    visitors who lost their session: {len(kill.lost)} of the {len(kill.on_it)} on "
          f"{kill.server}; their next session on: {moved or '-'}")
    print(f"    errors elsewhere: {len(kill.errors_elsewhere)}")


def summary(figures: Figures) -> str:
    line = (f"replicas={figures.replicas or 1} visitors={figures.visitors} "
            f"trainings={figures.trainings} "
            f"p50_s={percentile(figures.concept(), 0.5):.2f} "
            f"p95_s={percentile(figures.concept(), 0.95):.2f} errors={len(figures.errors)} "
            f"web_rss_max_mb={figures.rss_max_mb:.0f} "
            f"web_tensorflow={'yes' if figures.tensorflow else 'no'} "
            f"balancer={'nginx' if figures.replicas else 'none'} "
            f"trainings_on={f'queue:{figures.workers}' if figures.workers else 'pool'}")
    if figures.kill is not None:
        kill, back = figures.kill, figures.kill.restarted_after_s
        while_down = connects_while_down(figures)
        line += (f" killed={kill.server} restarted_after_s="
                 f"{f'{back:.1f}' if back is not None else 'none'} "
                 f"new_sessions_while_down={len(while_down)} "
                 f"of_them_on_it={while_down.count(kill.server)} "
                 f"lost_sessions={len(kill.lost)} errors_elsewhere={len(kill.errors_elsewhere)}")
    return line
