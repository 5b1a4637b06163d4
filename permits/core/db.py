"""The database engine, the session of each request, and SQLite's durability settings."""
from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import wraps

from flask import Flask, current_app, g, request
from sqlalchemy import Integer, bindparam, cast, event, exc, func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

try:
    import orjson
except ImportError:  # pragma: no cover - a virtual environment older than the dependency
    orjson = None

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# An execution option: transactions on an engine carrying it begin DEFERRED on SQLite, so
# that reads never queue behind the one writer.
READ_ONLY_OPTION = "parity_read_only"


# An execution option of the engine a read request's session runs on (`session()`).
REQUEST_READ_OPTION = "parity_request_read"


def _read_only_engine(engine: Engine) -> Engine:
    return engine.execution_options(**{READ_ONLY_OPTION: True})


def _request_read_engine(engine: Engine) -> Engine:
    """The engine a GET's session reads on. On PostgreSQL each statement commits by itself: under
    READ COMMITTED every statement of a transaction takes its own snapshot anyway, so a transaction
    around a request's reads bought no consistency, only its BEGIN and ROLLBACK round trips. A
    write there is refused on both databases (`_refuse_on_read_request`); a view that writes on
    GET says so (`writes_on_get`). Reads that
    must share a snapshot or stream (server-side cursors need a transaction) go inside
    `one_snapshot`. On SQLite likewise: no BEGIN (`_configure_sqlite`), each SELECT reads the
    snapshot it starts on. The BEGIN DEFERRED and COMMIT around them cost little alone, but
    under load each is one more wait to get the GIL back from the worker's other threads."""
    options = {READ_ONLY_OPTION: True, REQUEST_READ_OPTION: True}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "AUTOCOMMIT"
    return engine.execution_options(**options)


class WriteOnReadRequest(RuntimeError):
    """A read request's session tried to write: the view must be marked `writes_on_get`."""


_IDLE = 0  # psycopg.pq.TransactionStatus.IDLE: a connection outside any transaction


@contextmanager
def one_snapshot(session: Session) -> Iterator[None]:
    """Reads in the block see one snapshot and may stream through server-side cursors, which
    need a transaction: on a read request's connection, which runs without one, a transaction
    for the block (PostgreSQL: REPEATABLE READ, READ ONLY; SQLite: BEGIN DEFERRED). Elsewhere,
    and inside one already (nested), the session's own transaction."""
    connection = session.connection()
    driver = connection.connection.driver_connection
    if connection.dialect.name == "sqlite":
        if driver.in_transaction or not connection.get_execution_options().get(REQUEST_READ_OPTION):
            yield
            return
        driver.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            driver.rollback()  # it only read
        return
    if not driver.autocommit or driver.info.transaction_status != _IDLE:
        yield
        return
    with driver.transaction():
        driver.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def reads_one_snapshot(view):
    """Run a view's reads in one snapshot (`one_snapshot`): for a page that compares what it
    reads (the live rows against the audit chain), where reads each on their own snapshot would
    disagree with each other whenever a write committed between two of them."""
    @wraps(view)
    def run(*args, **kwargs):
        with one_snapshot(session()):
            return view(*args, **kwargs)
    return run


def writes_on_get(view):
    """Mark a view that writes on a GET (following a notice's link marks it read): its session
    is the writers', with a transaction and the writer lock, as a POST's is."""
    view.parity_writes_on_get = True
    return view


class _SQLiteConnection(sqlite3.Connection):
    """A SQLite connection whose write transactions queue for SQLite's one write lock in the
    kernel, first come first served, instead of in SQLite's busy handler.

    A writer that finds the database locked sleeps in SQLite's busy handler (1, 2, 5, 10, 15, 20,
    25 ms ... between tries) and is not woken when the lock is let go: with a few writers at a
    time, the lock sat free while they slept, and writes ran at a fraction of what the disk
    allows. Before its BEGIN IMMEDIATE, a writer now takes an exclusive `flock` on a file beside
    the database (`<database>-writers`), which wakes the next one the moment the write ends
    (commit or rollback); the kernel lets go of it when a process dies, however it dies.
    SQLite's own lock still decides: the queue only orders who asks for it, and a writer that
    does not queue (another program) is served by SQLite as before.
    """

    def __init__(self, database, *args, **kwargs):
        super().__init__(database, *args, **kwargs)
        self.parity_queue_fd = None
        self.parity_queued = False
        name = str(database)
        if name and name != ":memory:" and not name.startswith("file:"):
            try:
                self.parity_queue_fd = os.open(name + "-writers", os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:  # a folder we cannot write to: SQLite's busy handler alone, as before
                self.parity_queue_fd = None

    def queue_for_writing(self) -> None:
        # A thread already queued on another connection (a second write transaction while its
        # first is open) does not queue again: it would wait on itself. SQLite's busy timeout
        # answers it, as before.
        if self.parity_queue_fd is None or getattr(_queued, "depth", 0):
            return
        fcntl.flock(self.parity_queue_fd, fcntl.LOCK_EX)
        self.parity_queued = True
        _queued.depth = 1

    def leave_queue(self) -> None:
        if self.parity_queued:
            self.parity_queued = False
            _queued.depth = 0
            fcntl.flock(self.parity_queue_fd, fcntl.LOCK_UN)

    def commit(self):
        try:
            super().commit()
        finally:
            self.leave_queue()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self.leave_queue()

    def close(self):
        try:
            self._let_go()
        finally:
            super().close()

    def __del__(self):  # dropped without close(): never keep the queue's file (and its lock)
        fd, self.parity_queue_fd = getattr(self, "parity_queue_fd", None), None
        if fd is not None:
            os.close(fd)

    def _let_go(self) -> None:
        fd, self.parity_queue_fd = getattr(self, "parity_queue_fd", None), None
        if fd is not None:
            if self.parity_queued:
                self.parity_queued = False
                _queued.depth = 0
            os.close(fd)  # closing the file lets go of its lock


_queued = threading.local()  # depth 1 while this thread holds the writers' queue


# JSON columns written and read with orjson: a decision's checks, evidence and rules are some
# 50 kB of JSON, which the standard library took 0.8 ms to write, under the writer lock, where
# orjson takes 0.05 ms. The values stored are the same (only the text's spacing differs), and
# whatever orjson would treat differently goes to the standard library as before: a date or a
# dataclass (which it would write, and `json` refuses), an integer beyond 64 bits (which it
# refuses); and on reading, text it refuses (`NaN`) or would read otherwise. A NaN or an
# infinity, which orjson writes as null, never gets this far: every number is checked finite
# where it enters.
if orjson is not None:
    _STRICT = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS

    def _refuse(value):
        raise TypeError(f"{type(value).__name__} is not JSON serializable")

    def json_text(value) -> str:
        try:
            return orjson.dumps(value, default=_refuse, option=_STRICT).decode()
        except TypeError:  # orjson.JSONEncodeError is one
            return json.dumps(value)

    # orjson reads an integer beyond 64 bits as a float: text with 19 digits in a row (an
    # integer from 10**18 up; Python writes no float with more than 17) is read as before.
    # Found by mapping every ASCII digit to "0" and every other byte to " ", then looking for
    # nineteen "0"s: a JSON number is ASCII digits, and a regular expression stepped through a
    # decision's 50 kB of checks at 0.7 ms a read, where this takes 0.05 ms.
    _ONLY_DIGITS = bytes(48 if 48 <= byte <= 57 else 32 for byte in range(256))
    _LONG_RUN = b"0" * 19

    def _long_number_in(text) -> bool:
        raw = text.encode(errors="surrogatepass") if isinstance(text, str) else bytes(text)
        return _LONG_RUN in raw.translate(_ONLY_DIGITS)

    def json_value(text):
        if not _long_number_in(text):
            try:
                return orjson.loads(text)
            except orjson.JSONDecodeError:
                pass
        return json.loads(text)
else:  # pragma: no cover
    json_text, json_value = json.dumps, json.loads


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for `url`; SQLite gets WAL, FULL sync, foreign keys and IMMEDIATE writes."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 30, "factory": _SQLiteConnection},
            json_serializer=json_text, json_deserializer=json_value,
            # Pooled: opening a connection and setting its pragmas costs more than most
            # requests' queries. Each pooled connection is used by one thread at a time.
            pool_size=8,
            max_overflow=24,
        )
        _configure_sqlite(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    # Writers queue for one lock while holding a connection: room for a burst of them.
    engine = create_engine(url, echo=echo, pool_size=10, max_overflow=30,
                           json_serializer=json_text, json_deserializer=json_value)
    _configure_postgresql(engine)
    _ping_when_idle(engine)
    return engine


# A pooled PostgreSQL connection idle longer than this is pinged before use (a restarted server
# leaves the pool's connections dead). A connection in steady use is not: the ping was a
# round trip on every request, as costly as the request's own query.
IDLE_BEFORE_PING = 2.0  # seconds
_LAST_USED = "parity_last_used"


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine.pool, "checkout")
    def _ping(dbapi_connection, record, _proxy):
        now = time.monotonic()
        if now - record.info.get(_LAST_USED, now) > IDLE_BEFORE_PING:
            try:
                engine.dialect.do_ping(dbapi_connection)
            except engine.dialect.loaded_dbapi.Error as error:
                # The pool drops this connection and checks out another (a fresh one, at worst).
                raise exc.DisconnectionError(str(error)) from error
            finally:
                _end_ping_transaction(dbapi_connection)
        record.info[_LAST_USED] = now

    @event.listens_for(engine.pool, "checkin")
    def _returned(_dbapi_connection, record):
        if record is not None:
            record.info[_LAST_USED] = time.monotonic()


def _end_ping_transaction(dbapi_connection) -> None:
    """The ping's SELECT began a transaction on a non-autocommit connection; end it, so the
    request's own begins where SQLAlchemy expects."""
    try:
        if not dbapi_connection.autocommit:
            dbapi_connection.rollback()
    except Exception:  # noqa: BLE001 - a dead connection: the DisconnectionError above says so
        pass


# The transaction-scoped advisory lock every PostgreSQL writer holds (any constant will do).
WRITER_LOCK_KEY = 0x5A7171
# Taken as the pair (the schema's hash, the key): advisory locks are per database, and the
# databases the tests and benchmarks build are schemas of one database, whose writers must
# not wait for one another. One application, one schema: still one lock. (coalesce: a NULL
# argument would make the call take no lock at all.)
TAKE_WRITER_LOCK_SQL = ("SELECT pg_advisory_xact_lock(coalesce(hashtext(current_schema()), 0), "
                        "CAST(%s AS integer))")
# On a connection's info while its transaction holds that lock.
WRITER_FLAG = "parity_writer"
_WRITES = ("INSERT", "UPDATE", "DELETE")


def _configure_postgresql(engine: Engine) -> None:
    """Every session in UTC; one writer at a time, taken at the first write of a transaction.

    UTC: PostgreSQL hands timestamps back in the session's zone, which the server's TimeZone
    or a client's PGTZ would otherwise choose; pages and hashes must not depend on either.

    One writer: every state change appends to the audit chain, which must be written one entry at a
    time. Were the chain's lock taken only at the audit write, a transaction holding a row
    lock could wait for the chain while the chain's holder waits for that row: a deadlock.
    Taking it before any write (or SELECT ... FOR UPDATE) makes the chain lock always come
    first. Readers are never blocked; SQLite's BEGIN IMMEDIATE gives the same order.
    """

    @event.listens_for(engine, "connect")
    def _utc(dbapi_connection, _record):
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True  # a SET outside any transaction lasts the session
        dbapi_connection.execute("SET TIME ZONE 'UTC'")
        dbapi_connection.autocommit = autocommit

    @event.listens_for(engine, "before_cursor_execute")
    def _writer_lock(conn, cursor, statement, _params, _context, _executemany):
        if conn.info.get(WRITER_FLAG) or not _is_write(statement):
            return
        _refuse_on_read_request(conn, statement)
        cursor.execute(TAKE_WRITER_LOCK_SQL, (WRITER_LOCK_KEY,))
        conn.info[WRITER_FLAG] = True

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _released(conn):
        conn.info.pop(WRITER_FLAG, None)

    @event.listens_for(engine.pool, "checkin")
    def _returned(_dbapi_connection, record):
        # However its transaction ended (a pool reset included), the next checkout starts unlocked.
        record.info.pop(WRITER_FLAG, None)


def take_writer_lock(connection) -> None:
    """Take the PostgreSQL writer lock now, if this transaction does not hold it yet: for writes
    sent on the DBAPI cursor (`Prepared`), which the `before_cursor_execute` hook does not see.
    On SQLite, BEGIN IMMEDIATE took the write lock already."""
    if connection.dialect.name != "postgresql" or connection.info.get(WRITER_FLAG):
        return
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(TAKE_WRITER_LOCK_SQL, (WRITER_LOCK_KEY,))
    finally:
        cursor.close()
    connection.info[WRITER_FLAG] = True


def _refuse_on_read_request(conn, statement: str) -> None:
    """A read request's session may not write (`_request_read_engine`): on PostgreSQL the write
    would commit alone, outside the writer lock; on SQLite a deferred read transaction that turns
    into a write fails with SQLITE_BUSY when another writer got there first, instead of queueing."""
    if conn.get_execution_options().get(REQUEST_READ_OPTION):
        raise WriteOnReadRequest(f"a read request wrote ({statement[:60]}...): mark its view "
                                 "with db.writes_on_get")


def _is_write(statement: str) -> bool:
    head = statement.lstrip()[:6].upper()
    return head in _WRITES or (head == "SELECT" and "FOR UPDATE" in statement.upper())


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def _read_requests_only_read(conn, _cursor, statement, _params, _context, _executemany):
        if _is_write(statement):
            _refuse_on_read_request(conn, statement)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        # Take transaction control away from pysqlite so that we can say BEGIN IMMEDIATE:
        # a deferred write transaction upgrades its lock late and fails with SQLITE_BUSY
        # instead of waiting, which is how two writers both "win" a read-then-write.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        options = connection.get_execution_options()
        if options.get(REQUEST_READ_OPTION):
            return  # a GET's statements each read by themselves, as on PostgreSQL
        if options.get(READ_ONLY_OPTION):
            connection.exec_driver_sql("BEGIN DEFERRED")
            return
        dbapi_connection = connection.connection.dbapi_connection
        queue = getattr(dbapi_connection, "queue_for_writing", None)
        if queue is not None:
            queue()
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if queue is not None:
                dbapi_connection.leave_queue()
            raise


@contextmanager
def session_scope(engine: Engine, *, read_only: bool = False) -> Iterator[Session]:
    """A session for work outside a request (CLI, scheduler, tests): commits on success."""
    bind = _read_only_engine(engine) if read_only else engine
    with Session(bind, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def init_app(app: Flask) -> None:
    app.extensions["parity.engine"] = make_engine(
        app.config["DATABASE_URL"], echo=app.config.get("SQLALCHEMY_ECHO", False)
    )
    app.extensions["parity.engine.read_only"] = _read_only_engine(app.extensions["parity.engine"])
    app.extensions["parity.engine.request_read"] = _request_read_engine(app.extensions["parity.engine"])
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions["parity.engine"]


def read_only_engine() -> Engine:
    """The app's engine for reads beside the request's session (BEGIN DEFERRED on SQLite)."""
    return current_app.extensions["parity.engine.read_only"]


def session() -> Session:
    """The request's session. A read (GET) runs without a transaction, each statement reading by
    itself (`_request_read_engine`); any other request writes: BEGIN IMMEDIATE on SQLite, the
    writer lock from its first write on PostgreSQL.

    Views call `session().commit()` once; anything not committed is rolled back at teardown.
    """
    if "db_session" not in g:
        read = _is_read_request()
        bind = current_app.extensions["parity.engine.request_read" if read else "parity.engine"]
        g.db_session = Session(bind, expire_on_commit=False)
    return g.db_session


@contextmanager
def read_session() -> Iterator[Session]:
    """A short read-only session beside the request's (objects come back detached)."""
    # Closing (not rolling back) ends the transaction without expiring what was loaded.
    with Session(current_app.extensions["parity.engine.read_only"], expire_on_commit=False) as s:
        yield s


def _is_read_request() -> bool:
    try:
        if request.method not in READ_METHODS:
            return False
    except RuntimeError:  # no request: CLI or scheduler inside an app context
        return False
    view = current_app.view_functions.get(request.endpoint)
    return not getattr(view, "parity_writes_on_get", False)


def _close_session(_exc: BaseException | None) -> None:
    s = g.pop("db_session", None)
    if s is None:
        return
    s.rollback()
    s.close()


# The hot paths' statements -------------------------------------------------------------------
#
# A Core statement run through `Connection.execute` costs, in SQLAlchemy's bookkeeping (cache
# key, execution context, result object, events), several times what SQLite spends running it.
# The few statements every shipment or API request runs are compiled once per dialect here and
# sent on the DBAPI cursor with the same bind and result conversions the statement's types
# declare, so that they store and return exactly what `Connection.execute` would.

class Prepared:
    """`statement` compiled once per dialect, run on a DBAPI connection.

    `keys`: for an INSERT, the columns given (the others are left to the database), as
    `Connection.execute(insert, {...})` would send them. The caller passes every parameter
    (no Python-side column defaults are applied)."""

    __slots__ = ("statement", "keys", "_by_dialect")

    def __init__(self, statement, *, keys: tuple[str, ...] | None = None):
        self.statement = statement
        self.keys = keys
        self._by_dialect: dict[str, tuple] = {}

    def _compiled(self, dialect) -> tuple:
        found = self._by_dialect.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect, column_keys=self.keys)
            binds = compiled._bind_processors
            names = tuple(compiled.positiontup) if compiled.positional else None
            # The values the statement carries itself (a LIMIT's 1, a comparison's constant).
            fixed = {name: bind.effective_value for name, bind in compiled.binds.items()
                     if not bind.required and not name.startswith("%(")}
            results = tuple(column.type._cached_result_processor(dialect, None)
                            for column in self.statement.exported_columns)
            # Only the columns that convert, by position: a row of thirty columns with a dozen
            # dates converts in half the time of asking every column.
            processed = tuple((i, process) for i, process in enumerate(results) if process is not None)
            found = (compiled.string, names, fixed, binds, processed or None,
                     bool(self.statement.exported_columns))
            self._by_dialect[dialect.name] = found
        return found

    def rows(self, connection, params: dict) -> list[tuple]:
        """Every row, converted; `connection` is a SQLAlchemy Connection. Its cursor events fire
        as for any statement (the PostgreSQL writer lock, echo, the tests' statement counts)."""
        return self.rows_on(connection.dialect, connection.connection.dbapi_connection, params,
                            events=_listening(connection))

    def raw_rows(self, connection, params: dict) -> list[tuple]:
        """Every row as the driver gives it, not converted (`convert` converts one): for a
        caller that keys what it keeps on the row exactly as read."""
        return self.rows_on(connection.dialect, connection.connection.dbapi_connection, params,
                            events=_listening(connection), convert=False)

    def rows_on(self, dialect, dbapi_connection, params: dict, *, events=None,
                convert: bool = True) -> list[tuple]:
        """Every row, converted unless `convert` is false, on a DBAPI connection of `dialect`
        (`events`: the SQLAlchemy Connection whose before/after_cursor_execute listeners hear of it)."""
        cursor = dbapi_connection.cursor()
        try:
            self._send(dialect, cursor, params, events)
            return self._fetch(dialect, cursor, convert=convert)
        finally:
            cursor.close()

    def _send(self, dialect, cursor, params: dict, events) -> None:
        sql, names, fixed, binds, _results, _returns_rows = self._compiled(dialect)
        if fixed:
            params = {**fixed, **params}
        if binds:
            params = {key: (binds[key](value) if key in binds else value) for key, value in params.items()}
        args = tuple(params[name] for name in names) if names is not None else params
        if events is not None:
            events.dispatch.before_cursor_execute(events, cursor, sql, args, None, False)
        cursor.execute(sql, args)
        if events is not None:
            events.dispatch.after_cursor_execute(events, cursor, sql, args, None, False)

    def convert(self, dialect, row: tuple) -> tuple:
        """One row as the driver gave it, its values converted as `rows` converts them."""
        results = self._compiled(dialect)[4]
        if results is None:
            return tuple(row)
        values = list(row)
        for i, process in results:
            values[i] = process(values[i])
        return tuple(values)

    def _fetch(self, dialect, cursor, *, convert: bool = True) -> list[tuple]:
        _sql, _names, _fixed, _binds, results, returns_rows = self._compiled(dialect)
        # A statement with columns (a SELECT, a RETURNING) has rows: no asking the cursor's
        # description, which psycopg builds afresh, a Column per column, each time.
        fetched = cursor.fetchall() if returns_rows or cursor.description is not None else []
        if results is None or not convert:
            return fetched
        converted = []
        for row in fetched:
            values = list(row)
            for i, process in results:
                values[i] = process(values[i])
            converted.append(tuple(values))
        return converted

    def first(self, connection, params: dict) -> tuple | None:
        found = self.rows(connection, params)
        return found[0] if found else None

    def first_on(self, dialect, dbapi_connection, params: dict) -> tuple | None:
        found = self.rows_on(dialect, dbapi_connection, params)
        return found[0] if found else None


def _listening(connection):
    """`connection` when it or its engine has event listeners (they must hear of statements
    sent on the DBAPI cursor), else None: asking is cheaper than dispatching to no one."""
    return connection if connection._has_events or connection.engine._has_events else None


_WRITER_LOCK = Prepared(select(func.pg_advisory_xact_lock(
    func.coalesce(func.hashtext(func.current_schema()), 0), cast(bindparam("k"), Integer))))


def run_together(connection, steps: list[tuple[Prepared, dict]]) -> list[list[tuple]]:
    """Each (statement, parameters) in order on `connection`, and each one's rows. On PostgreSQL
    they go in one round trip (psycopg's pipeline: sent together, run in order, an error stops the
    rest and is raised here), the writer lock first if the transaction does not hold it yet;
    elsewhere one after the other."""
    events = _listening(connection)
    dbapi_connection = connection.connection.dbapi_connection
    if connection.dialect.name != "postgresql":
        return [statement.rows_on(connection.dialect, dbapi_connection, params, events=events)
                for statement, params in steps]
    locking = not connection.info.get(WRITER_FLAG)
    if locking:  # in the same round trip, before the writes (the hook then sees it held)
        steps = [(_WRITER_LOCK, {"k": WRITER_LOCK_KEY}), *steps]
        connection.info[WRITER_FLAG] = True
    cursors = []
    try:
        with dbapi_connection.pipeline():
            for statement, params in steps:
                cursor = dbapi_connection.cursor()
                cursors.append(cursor)
                statement._send(connection.dialect, cursor, params, events)
        found = [statement._fetch(connection.dialect, cursor)
                 for (statement, _params), cursor in zip(steps, cursors, strict=True)]
        return found[1:] if locking else found
    finally:
        for cursor in cursors:
            cursor.close()


def detached(model, values: dict):
    """An instance of `model` as if loaded from `values` (every column) by a session that has
    closed: no constructor or validation runs, as when the ORM loads a row."""
    from sqlalchemy.orm import make_transient_to_detached

    # As a query would: the mappers configured first (a worker's first request may come here
    # before any ORM query has configured them).
    model.__mapper__._check_configure()
    instance = model._sa_class_manager.new_instance()
    instance.__dict__.update(values)
    make_transient_to_detached(instance)
    return instance
