"""Reminder delivery on the desktop: timers, resume detection, notifications, the digest.

``install(ctx, window)`` (called by the main window after its first paint) creates the
``ReminderService``. The database decides what is due (``app.services.reminders``); this
module only wakes up at the right moments and shows what it is given:

* **Timers**: APScheduler 3's ``QtScheduler`` (jobs run on the GUI thread through the
  ``debug`` executor; its wake-up is a parented, precise QTimer capped at 60 s). Jobs are
  rebuilt from the rows at start-up and after every ``ctx.data_changed`` (nothing pickled):
  one ``DateTrigger`` per distinct due instant in the next 36 hours plus a re-arm job.
  ``misfire_grace_time`` is 6 h and ``coalesce`` is on: a late wake-up still runs once and
  the database then files the late reminders into the digest.
* **Never silently missed**: at start-up, on resume (a wall-clock jump seen by a parented
  QTimer comparing wall and monotonic clocks, plus logind's ``PrepareForSleep`` over QtDBus
  where there is a system bus) and after a clock or time-zone change, the service takes
  whatever fell due meanwhile and shows it once as a digest.
* **Delivery**: ordered adapters — D-Bus ``org.freedesktop.Notifications``, the tray icon's
  message, the in-app banner. Each says why it is unavailable; the banner also always
  holds delivered reminders until they are acknowledged or snoozed.
* **Observable seam**: with ``CONSULTORY_NOTIFY_LOG=PATH`` every delivered (or missed)
  reminder is appended to PATH as one JSON line (see docs/REMINDERS.md).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from apscheduler.executors.debug import DebugExecutor
from apscheduler.schedulers.qt import QtScheduler
from apscheduler.triggers.date import DateTrigger
from PySide6.QtCore import SLOT, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QMainWindow, QToolBar

from app.errors import ConsultoryError, DatabaseLockedError
from app.reminders.catchup import DueReminder
from app.reminders.model import PlannedReminder, ReminderKind
from app.services import reminders as rs
from ui.banner import BannerItem, ReminderBanner
from ui.context import AppContext
from ui.digest import DigestDialog, DigestRow

NOTIFY_LOG_ENV = "CONSULTORY_NOTIFY_LOG"
HORIZON = timedelta(hours=36)  # only this near future gets timers
REARM_EVERY = timedelta(hours=12)
MISFIRE_GRACE_S = 6 * 3600
MAX_WAIT_S = 60.0  # the scheduler re-checks at least once a minute
WATCHDOG_MS = 10_000
JUMP_TOLERANCE_S = 30.0
CALL_TIMEOUT_MS = 2000  # a hung notification server must not freeze the GUI for long

log_json = json.dumps


# --- the scheduler ------------------------------------------------------------------------


class ParentedQtScheduler(QtScheduler):  # type: ignore[misc]
    """QtScheduler whose wake-up timer is a parented, precise QTimer (the stock one uses a
    parentless coarse ``QTimer.singleShot``, which may be off by 5 % of a long wait)."""

    def __init__(self, parent: QObject, **options: Any) -> None:
        self._qtimer = QTimer(parent)
        self._qtimer.setSingleShot(True)
        self._qtimer.setTimerType(Qt.TimerType.PreciseTimer)
        self._qtimer.timeout.connect(self._process_jobs)
        super().__init__(**options)

    def _start_timer(self, wait_seconds: float | None) -> None:
        self._stop_timer()
        if wait_seconds is None:
            wait_seconds = MAX_WAIT_S
        self._qtimer.start(max(0, int(min(wait_seconds, MAX_WAIT_S) * 1000)))

    def _stop_timer(self) -> None:
        if self._qtimer is not None:
            self._qtimer.stop()

    def wakeup(self) -> None:
        self._start_timer(0)


def make_scheduler(parent: QObject) -> ParentedQtScheduler:
    return ParentedQtScheduler(
        parent,
        timezone=UTC,
        executors={"default": DebugExecutor()},  # run jobs on the GUI thread
        job_defaults={
            "misfire_grace_time": MISFIRE_GRACE_S,
            "coalesce": True,
            "max_instances": 1,
        },
    )


# --- notifications ------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    key: str
    summary: str
    body: str
    digest: bool = False


class Adapter(QObject):
    """One way of showing a notice. ``clicked`` carries the reminder key."""

    name = "adapter"
    clicked = Signal(str)

    def unavailable_reason(self) -> str | None:
        return None

    def notify(self, notice: Notice) -> bool:
        raise NotImplementedError


class DBusAdapter(Adapter):
    """org.freedesktop.Notifications over QtDBus (session bus)."""

    name = "dbus"
    SERVICE = "org.freedesktop.Notifications"
    PATH = "/org/freedesktop/Notifications"

    # The desktop portal's notifications (xdg-desktop-portal): used when the server
    # refuses Notify. PySide6 sends Notify's replaces_id as int32, and GDBus-based servers
    # (GNOME Shell, dunst) check the signature; AddNotification has no integer argument.
    PORTAL = "org.freedesktop.portal.Desktop"
    PORTAL_PATH = "/org/freedesktop/portal/desktop"
    PORTAL_IFACE = "org.freedesktop.portal.Notification"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reason: str | None = None
        self._ids: dict[int, str] = {}
        self._portal = False
        self._use_portal = False
        self._portal_ids: dict[str, str] = {}
        try:
            from PySide6.QtDBus import QDBusConnection
        except ImportError:
            self._reason = "Qt was built without D-Bus support"
            return
        self._bus = QDBusConnection.sessionBus()
        if not self._bus.isConnected():
            self._reason = "no D-Bus session bus"
            return
        iface = self._bus.interface()
        self._portal = iface is not None and iface.isServiceRegistered(self.PORTAL).value()
        if self._portal:
            self._bus.connect(
                self.PORTAL,
                self.PORTAL_PATH,
                self.PORTAL_IFACE,
                "ActionInvoked",
                self,
                SLOT("_on_portal_action_invoked(QString,QString,QVariantList)"),
            )
        if iface is None or not iface.isServiceRegistered(self.SERVICE).value():
            if self._portal:
                self._use_portal = True
                return
            self._reason = "no notification server on the session bus"
            return
        self.actions_connected = self._bus.connect(
            self.SERVICE,
            self.PATH,
            self.SERVICE,
            "ActionInvoked",
            self,
            SLOT("_on_server_action_invoked(uint,QString)"),
        )

    def unavailable_reason(self) -> str | None:
        return self._reason

    @Slot("uint", "QString")  # D-Bus (us): the slot must declare uint to be connectable
    def _on_server_action_invoked(self, nid: int, _action: str) -> None:
        key = self._ids.get(int(nid))
        if key is not None:
            self.clicked.emit(key)

    @Slot(str, str, "QVariantList")
    def _on_portal_action_invoked(self, nid: str, _action: str, _param: object) -> None:
        key = self._portal_ids.get(nid)
        if key is not None:
            self.clicked.emit(key)

    def _notify_portal(self, notice: Notice) -> bool:
        from PySide6.QtDBus import QDBus, QDBusMessage

        nid = "consultory-" + "".join(c if c.isalnum() else "-" for c in notice.key)
        msg = QDBusMessage.createMethodCall(
            self.PORTAL, self.PORTAL_PATH, self.PORTAL_IFACE, "AddNotification"
        )
        msg.setArguments(
            [
                nid,
                {
                    "title": notice.summary,
                    "body": notice.body,
                    "priority": "high",
                    "default-action": "open",
                },
            ]
        )
        reply = self._bus.call(msg, QDBus.CallMode.Block, CALL_TIMEOUT_MS)
        if reply.type() != QDBusMessage.MessageType.ReplyMessage:
            self._reason = f"the notification portal refused the call ({reply.errorName()})"
            return False
        self._portal_ids[nid] = notice.key
        return True

    def notify(self, notice: Notice) -> bool:
        if self._reason is not None:
            return False
        if self._use_portal:
            return self._notify_portal(notice)
        from PySide6.QtDBus import QDBus, QDBusMessage

        msg = QDBusMessage.createMethodCall(self.SERVICE, self.PATH, self.SERVICE, "Notify")
        msg.setArguments(
            [
                "Consultory",
                0,
                "appointment-soon",
                notice.summary,
                notice.body,
                ["default", "Open session"],
                {"desktop-entry": "consultory"},
                0,  # never expire: it stays until the user deals with it
            ]
        )
        reply = self._bus.call(msg, QDBus.CallMode.Block, CALL_TIMEOUT_MS)
        if reply.type() != QDBusMessage.MessageType.ReplyMessage:
            # PySide6 cannot marshal replaces_id as uint32 (it goes out as int32): strict
            # servers (GDBus-based ones) refuse the call. Then the desktop portal, where
            # there is one; else the next adapter (tray, banner) takes over.
            refused = reply.errorName()
            if self._portal:
                self._use_portal = True
                return self._notify_portal(notice)
            self._reason = f"the notification server refused the call ({refused})"
            return False
        args = reply.arguments()
        if args:
            self._ids[int(args[0])] = notice.key
        return True


class TrayAdapter(Adapter):
    name = "tray"

    def __init__(self, tray: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tray = tray
        self._last_key = ""
        if tray is not None:
            tray.message_clicked.connect(self._on_tray_message_clicked)

    def unavailable_reason(self) -> str | None:
        if self.tray is None:
            return "no tray icon"
        reason: str | None = self.tray.unavailable_reason()
        return reason

    def notify(self, notice: Notice) -> bool:
        if self.unavailable_reason() is not None:
            return False
        self._last_key = notice.key
        return bool(self.tray.show_message(notice.summary, notice.body))

    def _on_tray_message_clicked(self) -> None:
        if self._last_key:
            self.clicked.emit(self._last_key)


class BannerAdapter(Adapter):
    """The in-app banner: always there while the window is."""

    name = "banner"

    def __init__(self, banner: ReminderBanner | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.banner = banner

    def unavailable_reason(self) -> str | None:
        return None if self.banner is not None else "no main window"

    def notify(self, notice: Notice) -> bool:
        return self.banner is not None  # the service puts the item in the banner


class Delivery(QObject):
    """Tries the adapters in order until one shows the notice."""

    clicked = Signal(str)

    def __init__(self, adapters: list[Adapter], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.adapters = adapters
        for a in adapters:
            a.clicked.connect(self.clicked)

    def status(self) -> list[tuple[str, str | None]]:
        return [(a.name, a.unavailable_reason()) for a in self.adapters]

    def deliver(self, notice: Notice) -> str:
        """The name of the adapter that showed it ("" if none could)."""
        for a in self.adapters:
            if a.unavailable_reason() is None and a.notify(notice):
                return a.name
        return ""


class NotifyLog:
    """The JSON-lines seam: one line per delivered reminder when the env var is set."""

    def __init__(self, path: str | None) -> None:
        self.path = Path(path) if path else None

    def write(self, d: DueReminder, delivered_at: datetime, via_digest: bool, adapter: str) -> None:
        if self.path is None:
            return
        r = d.reminder
        line = {
            "delivered_at": delivered_at.astimezone(UTC).isoformat(),
            "reminder_id": r.key,
            "occurrence_id": r.occurrence_id,
            "series_id": r.series_id,
            "recurrence_id": r.recurrence_id.isoformat() if r.recurrence_id else None,
            "member": r.member_id,
            "kind": r.kind.value,
            "due_at": r.due_utc.astimezone(UTC).isoformat(),
            "via_digest": via_digest,
            "state": "missed" if d.obsolete else "delivered",
            "snoozed": d.resnoozed,
            "adapter": adapter,
        }
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(log_json(line, sort_keys=True) + "\n")


# --- texts --------------------------------------------------------------------------------


def fmt_when(t: datetime, tz: tzinfo, now: datetime) -> str:
    """ "Today 14:00", "Tomorrow 09:30", "Mon 23 Nov 18:00" in ``tz``."""
    local, today = t.astimezone(tz), now.astimezone(tz).date()
    days = (local.date() - today).days
    day = {0: "Today", 1: "Tomorrow", -1: "Yesterday"}.get(days, local.strftime("%a %d %b"))
    return f"{day} {local.strftime('%H:%M')}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:1] in ("T", "Y") else text


def _relative(start: datetime, now: datetime) -> str:
    mins = max(1, round((start - now).total_seconds() / 60))
    if mins < 60:
        return f"in {mins} min"
    if mins < 48 * 60:
        return f"in {round(mins / 60)} h"
    return f"in {round(mins / 1440)} days"


def describe(r: PlannedReminder, now: datetime, tz: tzinfo = UTC) -> tuple[str, str]:
    """(headline, detail) for a reminder. No names or note text: titles and times only."""
    if r.kind is ReminderKind.CADENCE or r.start_utc is None:
        return (
            "Time for a consultation",
            "It has been a while since your last consultation. "
            "Consider joining or booking a session.",
        )
    when = _lower_first(fmt_when(r.start_utc, tz, now))
    if r.start_utc <= now:
        return r.title, f"Started {when} — it is still on."
    when = f"{when} ({_relative(r.start_utc, now)})"
    if r.kind is ReminderKind.PRESENTER_PREP:
        return f"Your turn to present: {r.title}", f"Prepare your case for {when}."
    return r.title, f"Starts {when}."


# --- the service --------------------------------------------------------------------------


class ReminderService(QObject):
    """Wakes up when reminders fall due and shows them. One per main window."""

    reminders_delivered = Signal(list)  # keys delivered on time
    digest_shown = Signal(list)  # keys in the digest
    resume_detected = Signal(str)  # "wall_clock_jump", "clock_back", "sleep_signal", "tz"
    jobs_rebuilt = Signal(int)
    open_blocked = Signal()  # "open" was asked while the store is locked

    def __init__(
        self,
        ctx: AppContext,
        window: QMainWindow | None,
        *,
        adapters: list[Adapter] | None = None,
        tray: Any = None,
        monotonic: Callable[[], float] = time.monotonic,
        notify_log: str | None = None,
    ) -> None:
        super().__init__(window or ctx)
        self.ctx = ctx
        self.window = window
        self.tray = tray
        self._monotonic = monotonic
        self.log = NotifyLog(
            notify_log if notify_log is not None else os.environ.get(NOTIFY_LOG_ENV)
        )
        self.banner: ReminderBanner | None = None
        if window is not None:
            bar = QToolBar("Reminders", window)
            self.banner = ReminderBanner(bar, manage_visibility=False)
            bar.setObjectName("reminderBar")
            bar.setMovable(False)
            bar.setFloatable(False)
            bar.addWidget(self.banner)
            self.banner_bar = bar
            window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
            bar.hide()
            self.banner.shown_changed.connect(bar.setVisible)
            self.banner.acknowledged.connect(self._on_banner_acknowledged)
            self.banner.snoozed.connect(self._on_banner_snoozed)
            self.banner.open_requested.connect(self._on_banner_open_requested)
        if adapters is None:
            adapters = [
                DBusAdapter(self),
                TrayAdapter(tray, self),
                BannerAdapter(self.banner, self),
            ]
        self.delivery = Delivery(adapters, self)
        self.delivery.clicked.connect(self._on_delivery_clicked)
        self.digest_dialog: DigestDialog | None = None
        self._by_key: dict[str, PlannedReminder] = {}
        self.scheduler = make_scheduler(self)
        self._rebuild_timer = QTimer(self)
        self._rebuild_timer.setSingleShot(True)
        self._rebuild_timer.setInterval(150)
        self._rebuild_timer.timeout.connect(self._on_rebuild_timer_timeout)
        self._check_soon = QTimer(self)
        self._check_soon.setSingleShot(True)
        self._check_soon.setInterval(0)
        self._check_soon.timeout.connect(self._on_check_soon_timeout)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(2000)
        self._retry.timeout.connect(self._on_check_soon_timeout)
        self._watchdog = QTimer(self)
        self._watchdog.setInterval(WATCHDOG_MS)
        self._watchdog.timeout.connect(self._on_watchdog_timeout)
        self._last_wall = ctx.clock.now()
        self._last_mono = monotonic()
        self._last_tz = _tz_signature()
        self.sleep_signal = self._connect_sleep_signal()
        self.suspended = False
        ctx.data_changed.connect(self._on_ctx_data_changed)
        ctx.me_changed.connect(self._on_ctx_me_changed)

    # --- life cycle ------------------------------------------------------------------------
    def start(self) -> None:
        """Start-up: restore outstanding reminders, show the digest of what fell due while
        closed, arm the near-horizon timers."""
        self.scheduler.start(paused=False)
        me = self.ctx.me_id
        if me is not None:
            now = self.ctx.clock.now()
            for r in rs.outstanding(self.ctx.db, me, now):
                self._hold(r, now)
        self.check("startup")
        self._watchdog.start()

    def stop(self) -> None:
        self._watchdog.stop()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    # --- the one operation -------------------------------------------------------------------
    def check(self, reason: str = "timer") -> rs.TakeResult | None:
        """Take whatever is due now, show it, re-arm. Idempotent."""
        if self.suspended:
            return None
        me = self.ctx.me_id
        if me is None:
            self.rebuild_jobs()
            return None
        now = self.ctx.clock.now()
        try:
            res = rs.take_due(
                self.ctx.db, me, now, catching_up=reason in ("startup", "resume", "tz")
            )
        except DatabaseLockedError:
            # another Consultory process holds the write lock: look again shortly; the
            # watermark keeps whatever falls due meanwhile
            self._retry.start()
            return None
        delivered: list[str] = []
        for d in res.on_time:
            adapter = self._deliver(d, now)
            self.log.write(d, now, False, adapter)
            delivered.append(d.key)
        self._refresh_held(now)
        if res.digest:
            self._show_digest(res, now)
        if delivered:
            self.reminders_delivered.emit(delivered)
        self.rebuild_jobs()
        if self.tray is not None:
            self.tray.refresh()
        return res

    def rebuild_jobs(self) -> int:
        """Drop every job and arm one per due instant within the horizon (from the rows)."""
        if not self.scheduler.running:
            return 0
        self.scheduler.remove_all_jobs()
        me = self.ctx.me_id
        n = 0
        if me is not None:
            now = self.ctx.clock.now()
            for when in rs.next_wakeups(self.ctx.db, me, now, HORIZON):
                self.scheduler.add_job(
                    self._on_due_job,
                    DateTrigger(run_date=_to_system(when, now)),
                    id=f"due-{when.isoformat()}",
                    replace_existing=True,
                )
                n += 1
        self.scheduler.add_job(
            self._on_rearm_job,
            DateTrigger(run_date=datetime.now(UTC) + REARM_EVERY),
            id="rearm",
            replace_existing=True,
        )
        self.jobs_rebuilt.emit(n)
        return n

    def armed_instants(self) -> list[datetime]:
        return sorted(j.next_run_time for j in self.scheduler.get_jobs() if j.id.startswith("due-"))

    # --- showing ---------------------------------------------------------------------------
    def zone(self) -> tzinfo:
        """Times are shown in my zone, like Today does."""
        from ui.pages.today import local_zone

        return local_zone(self.ctx)

    def _hold(self, r: PlannedReminder, now: datetime) -> None:
        self._by_key[r.key] = r
        if self.banner is not None:
            head, detail = describe(r, now, self.zone())
            self.banner.add_item(
                BannerItem(
                    key=r.key,
                    headline=r.kind.label,
                    title=head,
                    when=detail,
                    can_open=r.series_id is not None,
                    due_utc=r.due_utc,
                )
            )

    def _refresh_held(self, now: datetime) -> None:
        """Drop held reminders whose session is over; refresh the others' "in 20 h"."""
        for key, r in list(self._by_key.items()):
            if r.is_obsolete(now):
                del self._by_key[key]
                self._drop(key)
            elif self.banner is not None and any(i.key == key for i in self.banner.items()):
                self._hold(r, now)

    def _deliver(self, d: DueReminder, now: datetime) -> str:
        head, detail = describe(d.reminder, now, self.zone())
        adapter = self.delivery.deliver(Notice(d.key, f"{d.reminder.kind.label}: {head}", detail))
        self._hold(d.reminder, now)
        return adapter

    def _show_digest(self, res: rs.TakeResult, now: datetime) -> None:
        rows = []
        tz = self.zone()
        for d in res.digest:
            r = d.reminder
            if not d.obsolete:
                self._hold(r, now)
            rows.append(
                DigestRow(
                    key=r.key,
                    due_utc=r.due_utc,
                    due_text=fmt_when(r.due_utc, tz, now),
                    kind_label=r.kind.label,
                    title=r.title,
                    session_text=fmt_when(r.start_utc, tz, now) if r.start_utc else "",
                    missed=d.obsolete,
                    can_open=r.series_id is not None,
                )
            )
        ahead = sum(not d.obsolete for d in res.digest)
        summary = f"{len(rows)} reminder{'s' if len(rows) != 1 else ''} while you were away"
        adapter = self.delivery.deliver(
            Notice("digest", summary, f"{ahead} not over yet, {len(rows) - ahead} missed.", True)
        )
        for d in res.digest:
            self.log.write(d, now, True, adapter)
        note = "Reminders older than 60 days are not listed." if res.truncated else ""
        if self.window is not None:
            if self.digest_dialog is not None:
                self.digest_dialog.close()
                self.digest_dialog.deleteLater()
            dlg = DigestDialog(rows, note, self.window)
            dlg.open_requested.connect(self._on_digest_open_requested)
            dlg.acknowledged_all.connect(self._on_digest_acknowledged_all)
            self.digest_dialog = dlg
            dlg.show()
        self.digest_shown.emit([r.key for r in rows])

    def acknowledge(self, key: str) -> None:
        try:
            rs.acknowledge(self.ctx.db, key)
        except ConsultoryError:
            pass  # already gone elsewhere: just drop it from view
        self._drop(key)

    def snooze(self, key: str, minutes: int) -> None:
        try:
            rs.snooze(self.ctx.db, key, minutes, self.ctx.clock.now())
        except ConsultoryError:
            pass
        self._drop(key)
        self.rebuild_jobs()

    def _drop(self, key: str) -> None:
        if self.banner is not None:
            self.banner.remove_item(key)

    def suspend(self) -> None:
        """The store was locked: no database access until resume(); what falls due
        meanwhile comes in the digest after unlocking."""
        self.suspended = True
        self._watchdog.stop()
        if self.scheduler.running:
            self.scheduler.pause()

    def resume(self) -> None:
        if not self.suspended:
            return
        self.suspended = False
        if self.scheduler.running:
            self.scheduler.resume()
        self._watchdog.start()
        self.check("resume")

    def open_session(self, key: str) -> None:
        if self.suspended:  # never show the window past the lock
            self.open_blocked.emit()
            return
        r = self._by_key.get(key)
        w = self.window
        if w is None:
            return
        w.showNormal()
        w.raise_()
        w.activateWindow()
        if r is None or r.series_id is None:
            return
        show = getattr(w, "show_section", None)
        page_of = getattr(w, "page", None)
        if show is not None:
            show("calendar")
        if page_of is not None:
            page = page_of("calendar")
            opener = getattr(page, "open_occurrence", None)
            if opener is not None:
                opener(r.series_id, r.recurrence_id)

    # --- resume / clock changes -------------------------------------------------------------
    def _connect_sleep_signal(self) -> bool:
        try:
            from PySide6.QtDBus import QDBusConnection
        except ImportError:
            return False
        bus = QDBusConnection.systemBus()
        if not bus.isConnected():
            return False
        return bool(
            bus.connect(
                "org.freedesktop.login1",
                "/org/freedesktop/login1",
                "org.freedesktop.login1.Manager",
                "PrepareForSleep",
                self,
                SLOT("_on_login1_prepare_for_sleep(bool)"),
            )
        )

    @Slot(bool)
    def _on_login1_prepare_for_sleep(self, going_to_sleep: bool) -> None:
        if not going_to_sleep:
            self._resumed("sleep_signal")

    def _resumed(self, why: str) -> None:
        self._last_wall = self.ctx.clock.now()
        self._last_mono = self._monotonic()
        self.resume_detected.emit(why)
        self.check("resume")

    def _on_watchdog_timeout(self) -> None:
        wall, mono = self.ctx.clock.now(), self._monotonic()
        drift = (wall - self._last_wall).total_seconds() - (mono - self._last_mono)
        self._last_wall, self._last_mono = wall, mono
        tz = _tz_signature()
        if drift > JUMP_TOLERANCE_S:
            self._resumed("wall_clock_jump")
        elif drift < -JUMP_TOLERANCE_S:
            self._resumed("clock_back")
        elif tz != self._last_tz:
            self._last_tz = tz
            self.resume_detected.emit("tz")
            self.check("tz")

    # --- slots -----------------------------------------------------------------------------
    # A job must not rebuild the job store while APScheduler is still running it: the
    # check runs on the next event-loop turn (still the GUI thread, within milliseconds).
    def _on_due_job(self) -> None:
        self._check_soon.start()

    def _on_rearm_job(self) -> None:
        self._check_soon.start()

    def _on_check_soon_timeout(self) -> None:
        self.check("timer")

    def _on_ctx_data_changed(self, _area: str) -> None:
        self._rebuild_timer.start()

    def _on_ctx_me_changed(self, _me: object) -> None:
        self._rebuild_timer.start()

    def _on_rebuild_timer_timeout(self) -> None:
        self.check("change")

    def _on_banner_acknowledged(self, key: str) -> None:
        self.acknowledge(key)

    def _on_banner_snoozed(self, key: str, minutes: int) -> None:
        self.snooze(key, minutes)

    def _on_banner_open_requested(self, key: str) -> None:
        self.open_session(key)

    def _on_delivery_clicked(self, key: str) -> None:
        self.open_session(key)

    def _on_digest_open_requested(self, key: str) -> None:
        self.open_session(key)

    def _on_digest_acknowledged_all(self, keys: list[str]) -> None:
        for k in keys:
            self.acknowledge(k)


def _tz_signature() -> tuple[str, int]:
    lt = time.localtime()
    return (lt.tm_zone, lt.tm_gmtoff)


def _to_system(when: datetime, app_now: datetime) -> datetime:
    """APScheduler runs on the system clock; the app's clock may be a test clock. Map an
    app instant to the system clock by the current offset between the two."""
    return when + (datetime.now(UTC) - app_now)


def install(ctx: AppContext, window: QMainWindow) -> ReminderService:
    """Called by the main window after its first paint."""
    from ui.tray import TrayController

    tray = TrayController(ctx, window, window)
    service = ReminderService(ctx, window, tray=tray)
    tray.open_requested.connect(lambda: service.open_session(""))
    window.setProperty("reminder_service", True)
    service.start()
    return service
