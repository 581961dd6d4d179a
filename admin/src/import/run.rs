//! Running imports in the background: reading the stored file, the dry run
//! (plans every line in short transactions, then stores the results) and the
//! real run (plans again and writes everything in one transaction, or nothing),
//! with the progress this process can report while it works. A run beats a
//! heartbeat into its import; a sweep on every instance marks the imports whose
//! heartbeat stopped (their process died) as interrupted, to be checked again
//! or discarded.

use std::{
    collections::HashMap,
    sync::{LazyLock, Mutex},
    time::Duration,
};

use chrono::{DateTime, Utc};

use portico_authz::BackOffice;
use portico_data::{
    Actor, By, DataError, Database, ImportCounts, ImportRow, ImportState, RowAction, StaffUserId,
    Tenant, TenantTx, WRITE_BATCH,
};
use portico_domain::{RequiredFields, StaffRole, contact_csv::Header};
use portico_files::{FileKey, FileStore};
use uuid::Uuid;

use super::plan::{Line, Planned, Planner};

/// The largest file accepted (below the site's multipart limit).
pub(crate) const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;
/// The most lines (people) one file may hold.
pub(crate) const MAX_LINES: usize = 100_000;

/// How often a run touches its import.
const HEARTBEAT: Duration = Duration::from_secs(20);
/// How long an import may go without a heartbeat before it counts as
/// interrupted.
pub(crate) const STALE: chrono::Duration = chrono::Duration::seconds(90);
/// The failure of an import whose run stopped with its process.
pub(crate) const INTERRUPTED: &str = "import-interrupted";

/// Where an import's file is kept between its dry run and its real run.
pub(crate) fn file_key(tenant: &Tenant, import: Uuid) -> FileKey {
    FileKey::new(tenant.id().as_uuid(), "imports", import, ".csv")
}

/// Reads a file: UTF-8 (a byte-order mark is fine), comma- or semicolon-
/// separated (spreadsheets in Spanish write `;`), a heading line, then people.
/// Fails with a message id.
pub(crate) fn parse(bytes: &[u8]) -> Result<(Header, Vec<Line>), &'static str> {
    let text = std::str::from_utf8(bytes).map_err(|_| "import-not-utf8")?;
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let heading = records
        .next()
        .ok_or("import-empty")?
        .map_err(|_| "import-unreadable")?;
    let header = Header::parse(heading.iter()).map_err(|p| p.message())?;
    let mut lines = Vec::new();
    let mut counter = LineCounter::new(text);
    for record in records {
        let record = record.map_err(|_| "import-unreadable")?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if lines.len() == MAX_LINES {
            return Err("import-too-many-lines");
        }
        lines.push((
            counter.line_at(record.position().map_or(0, |p| p.byte())),
            header.cells(record.iter()),
        ));
    }
    if lines.is_empty() {
        return Err("import-empty");
    }
    Ok((header, lines))
}

/// The line number (from 1) where a record starts, counting `\n` as the
/// files' editors do: the csv reader's own count (and offset) is one line early
/// on `\r\n` files. The offsets asked for only grow, so the file is counted
/// once.
struct LineCounter<'t> {
    text: &'t [u8],
    offset: usize,
    line: i32,
}

impl<'t> LineCounter<'t> {
    fn new(text: &'t str) -> Self {
        Self {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    fn line_at(&mut self, offset: u64) -> i32 {
        let mut offset = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .clamp(self.offset, self.text.len());
        // A record never starts with a line ending (the reader skips empty
        // lines), but on `\r\n` files its offset may point at one.
        while self
            .text
            .get(offset)
            .is_some_and(|b| matches!(b, b'\r' | b'\n'))
        {
            offset += 1;
        }
        let newlines = self.text[self.offset..offset]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.line = self
            .line
            .saturating_add(i32::try_from(newlines).unwrap_or(i32::MAX));
        self.offset = offset;
        self.line
    }
}

/// Touches an import every [`HEARTBEAT`] while alive; stops when dropped.
struct Heartbeat(tokio::task::JoinHandle<()>);

impl Heartbeat {
    fn start(job: &Job) -> Self {
        let (db, tenant, import) = (job.db.clone(), job.tenant.clone(), job.import);
        Self(tokio::spawn(async move {
            loop {
                tokio::time::sleep(HEARTBEAT).await;
                // On SQLite a real run holds the only write lock: the beat
                // waits or fails, and this process's own runs are never swept.
                if let Ok(mut tx) = db.tenant_tx(&tenant).await
                    && tx.imports().touch(import).await.is_ok()
                {
                    let _ = tx.commit().await;
                }
            }
        }))
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Marks every company's imports whose heartbeat stopped before `before` as
/// interrupted (except this process's own runs); returns how many.
pub async fn sweep_interrupted_imports(
    db: &Database,
    before: DateTime<Utc>,
) -> Result<usize, DataError> {
    let alive: Vec<Uuid> = PROGRESS
        .lock()
        .map(|map| map.keys().copied().collect())
        .unwrap_or_default();
    let mut platform = db.platform_tx().await?;
    let tenants = platform.tenants_with_running_imports().await?;
    platform.commit().await?;
    let mut swept = 0;
    for tenant in tenants {
        let mut tx = db.tenant_tx(&tenant).await?;
        let ids = tx
            .imports()
            .interrupt_stale(before, &alive, INTERRUPTED)
            .await?;
        tx.commit().await?;
        for id in &ids {
            tracing::warn!(tenant = %tenant.slug(), import = %id, "import interrupted: its run stopped");
        }
        swept += ids.len();
    }
    Ok(swept)
}

/// Sweeps at start-up and then every minute, for as long as the process runs.
pub fn start_import_sweeper(db: Database) {
    tokio::spawn(async move {
        loop {
            if let Err(error) = sweep_interrupted_imports(&db, Utc::now() - STALE).await {
                tracing::error!(%error, "sweeping interrupted imports failed");
            }
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
    });
}

/// Lines done and lines in all, per running import of this process.
static PROGRESS: LazyLock<Mutex<HashMap<Uuid, (usize, usize)>>> = LazyLock::new(Default::default);

/// How far a run of this process has got with an import, if one is running.
pub(crate) fn progress(import: Uuid) -> Option<(usize, usize)> {
    PROGRESS.lock().ok()?.get(&import).copied()
}

/// Reports progress while alive; forgets it when dropped.
struct Tracker(Uuid);

impl Tracker {
    fn set(&self, done: usize, total: usize) {
        if let Ok(mut map) = PROGRESS.lock() {
            map.insert(self.0, (done, total));
        }
    }
}

impl Drop for Tracker {
    fn drop(&mut self) {
        if let Ok(mut map) = PROGRESS.lock() {
            map.remove(&self.0);
        }
    }
}

/// Why a run stopped.
enum Stop {
    /// The file or the data: a message id for the user.
    Refused(&'static str),
    Data(DataError),
}

impl From<DataError> for Stop {
    fn from(e: DataError) -> Self {
        Stop::Data(e)
    }
}

/// One run of one import, for a staff user.
pub(crate) struct Job {
    pub db: Database,
    pub files: FileStore,
    pub tenant: Tenant,
    pub import: Uuid,
    pub user: StaffUserId,
    pub role: StaffRole,
    pub rule: RequiredFields,
    pub policy: &'static BackOffice,
    pub request_id: String,
}

impl Job {
    fn by(&self) -> By<'_> {
        By {
            actor: Actor::Staff(self.user),
            request_id: Some(&self.request_id),
        }
    }

    async fn lines(&self) -> Result<Vec<Line>, Stop> {
        let bytes = self
            .files
            .get(&file_key(&self.tenant, self.import))
            .await
            .map_err(|e| {
                tracing::error!(import = %self.import, error = %e, "import file unreadable");
                Stop::Refused("import-file-missing")
            })?;
        parse(&bytes).map(|(_, lines)| lines).map_err(Stop::Refused)
    }

    async fn planner(&self, tx: &mut TenantTx) -> Result<Planner, DataError> {
        Planner::new(tx, self.rule, self.role, self.policy).await
    }

    /// The dry run: plans every line and stores the results; writes no contact.
    pub(crate) async fn check(self) {
        let _beat = Heartbeat::start(&self);
        let tracker = Tracker(self.import);
        let outcome = self.check_lines(&tracker).await;
        self.finish(ImportState::Checking, ImportState::Checked, outcome)
            .await;
    }

    async fn check_lines(&self, tracker: &Tracker) -> Result<Vec<ImportRow>, Stop> {
        let lines = self.lines().await?;
        tracker.set(0, lines.len());
        let mut tx = self.db.tenant_tx(&self.tenant).await?;
        let mut planner = self.planner(&mut tx).await?;
        tx.commit().await?;
        let mut rows = Vec::with_capacity(lines.len());
        for batch in lines.chunks(WRITE_BATCH) {
            // A short read per batch: the dry run never holds the database.
            let mut tx = self.db.tenant_tx(&self.tenant).await?;
            let planned = planner.plan(&mut tx, batch).await?;
            tx.commit().await?;
            rows.extend(planned.into_iter().map(|p| p.row));
            tracker.set(rows.len(), lines.len());
        }
        Ok(rows)
    }

    /// The real run: plans again and writes every line in one transaction. Any
    /// line that no longer passes (the data changed since the dry run) fails
    /// the whole run, and nothing is written.
    pub(crate) async fn run(self) {
        let _beat = Heartbeat::start(&self);
        let tracker = Tracker(self.import);
        let outcome = match self.lines().await {
            Ok(lines) => self.write_lines(&tracker, &lines).await,
            Err(stop) => Err(stop),
        };
        let done = match outcome {
            Ok((tx, rows)) => {
                self.store(
                    tx,
                    ImportState::Importing,
                    ImportState::Imported,
                    rows,
                    None,
                )
                .await
            }
            Err(stop) => Err(stop),
        };
        match done {
            Ok(()) => {
                self.files
                    .remove(&file_key(&self.tenant, self.import))
                    .await;
            }
            Err(Stop::Refused("import-changed")) => {
                // The rows of the failed plan are in the failed transaction; plan
                // once more, read-only, so the user sees which lines fail now.
                let tracker = Tracker(self.import);
                let rows = self.check_lines(&tracker).await;
                let outcome = rows.and_then(|rows| {
                    if rows.iter().any(|r| r.action == RowAction::Error) {
                        Ok(rows)
                    } else {
                        Err(Stop::Refused("import-changed"))
                    }
                });
                self.finish_failed(outcome, "import-changed").await;
            }
            Err(stop) => self.finish_failed(Err(stop), "").await,
        }
    }

    async fn write_lines(
        &self,
        tracker: &Tracker,
        lines: &[Line],
    ) -> Result<(TenantTx, Vec<ImportRow>), Stop> {
        tracker.set(0, lines.len());
        let mut tx = self.db.tenant_tx(&self.tenant).await?;
        let mut planner = self.planner(&mut tx).await?;
        let mut rows = Vec::with_capacity(lines.len());
        for batch in lines.chunks(WRITE_BATCH) {
            let planned = planner.plan(&mut tx, batch).await?;
            if planned.iter().any(|p| p.row.action == RowAction::Error) {
                return Err(Stop::Refused("import-changed"));
            }
            self.write(&mut tx, &planned).await.map_err(|e| match e {
                DataError::Invalid(_) => Stop::Refused("import-changed"),
                other => Stop::Data(other),
            })?;
            rows.extend(planned.into_iter().map(|p| p.row));
            tracker.set(rows.len(), lines.len());
        }
        Ok((tx, rows))
    }

    async fn write(&self, tx: &mut TenantTx, planned: &[Planned]) -> Result<(), DataError> {
        let creates: Vec<_> = planned.iter().filter_map(|p| p.create.clone()).collect();
        tx.imports()
            .write_contacts(self.import, &creates, self.by())
            .await?;
        for (id, fields) in planned.iter().filter_map(|p| p.update.as_ref()) {
            tx.contacts().update(*id, fields, self.by()).await?;
        }
        let links: Vec<_> = planned.iter().flat_map(|p| p.links.clone()).collect();
        tx.imports()
            .write_links(self.import, &links, self.by())
            .await
    }

    /// Stores the results and moves the import to its next state in `tx`.
    async fn store(
        &self,
        mut tx: TenantTx,
        from: ImportState,
        to: ImportState,
        rows: Vec<ImportRow>,
        failure: Option<&str>,
    ) -> Result<(), Stop> {
        let mut counts = ImportCounts::default();
        rows.iter().for_each(|r| counts.add(r.action));
        tx.imports().clear_rows(self.import).await?;
        for batch in rows.chunks(WRITE_BATCH) {
            tx.imports().add_rows(self.import, batch).await?;
        }
        if !tx
            .imports()
            .set_state(self.import, from, to, counts, failure)
            .await?
        {
            // Discarded meanwhile: keep nothing.
            return Ok(());
        }
        tx.commit().await?;
        Ok(())
    }

    /// Ends a dry run: its results, or the reason it failed.
    async fn finish(
        &self,
        from: ImportState,
        to: ImportState,
        outcome: Result<Vec<ImportRow>, Stop>,
    ) {
        let stored = match outcome {
            Ok(rows) => match self.db.tenant_tx(&self.tenant).await {
                Ok(tx) => self.store(tx, from, to, rows, None).await,
                Err(e) => Err(Stop::Data(e)),
            },
            Err(stop) => Err(stop),
        };
        if let Err(stop) = stored {
            self.fail(from, stop, Vec::new()).await;
        }
    }

    /// Ends a failed real run, with the lines that fail now when known.
    async fn finish_failed(&self, outcome: Result<Vec<ImportRow>, Stop>, message: &'static str) {
        match outcome {
            Ok(rows) => {
                self.fail(ImportState::Importing, Stop::Refused(message), rows)
                    .await
            }
            Err(stop) => self.fail(ImportState::Importing, stop, Vec::new()).await,
        }
    }

    async fn fail(&self, from: ImportState, stop: Stop, rows: Vec<ImportRow>) {
        let message = match stop {
            Stop::Refused(message) => message,
            Stop::Data(e) => {
                tracing::error!(import = %self.import, error = %e, "import failed");
                "import-failed"
            }
        };
        let result = async {
            let tx = self.db.tenant_tx(&self.tenant).await?;
            self.store(tx, from, ImportState::Failed, rows, Some(message))
                .await
        }
        .await;
        if let Err(Stop::Data(e)) = result {
            tracing::error!(import = %self.import, error = %e, "could not record a failed import");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_domain::contact_csv::Column;

    #[test]
    fn files_in_either_separator_with_a_byte_order_mark() {
        let (header, lines) = parse(
            "\u{feff}Nombres;Apellidos;Correo\nAna;Peña;ana@x.do\n;;\nLuis;\"Díaz; hijo\";\n"
                .as_bytes(),
        )
        .unwrap();
        assert!(header.has(Column::Email));
        assert_eq!(lines.len(), 2, "blank lines are skipped");
        assert_eq!(lines[1].0, 4, "line numbers count the heading and blanks");
        assert_eq!(lines[1].1[1], (Column::LastName, "Díaz; hijo".to_owned()));
        let (_, lines) = parse(b"first_name,email\nAna,ana@x.do\n").unwrap();
        assert_eq!(lines[0].1[0], (Column::FirstName, "Ana".to_owned()));
    }

    #[test]
    fn line_numbers_are_the_files_whatever_its_line_endings() {
        let numbers =
            |file: &[u8]| -> Vec<i32> { parse(file).unwrap().1.iter().map(|l| l.0).collect() };
        // Windows line endings, as the export and spreadsheets write them.
        assert_eq!(
            numbers(b"id,first_name,email\r\nabc,Ana,ana@x.do\r\ndef,Luis,luis@x.do\r\n"),
            [2, 3]
        );
        // An export edited in a Unix editor: one new line among CRLF ones.
        assert_eq!(
            numbers(b"first_name,email\r\nNuevo,n@x.do\nAna,ana@x.do\r\nLuis,l@x.do\r\n"),
            [2, 3, 4]
        );
        // A quoted cell over two lines: the next person starts on line 4.
        assert_eq!(
            numbers(b"first_name,notes\r\nAna,\"uno\r\ndos\"\r\nLuis,x\r\n"),
            [2, 4]
        );
        assert_eq!(
            numbers("\u{feff}first_name,email\r\n\r\nAna,ana@x.do".as_bytes()),
            [3]
        );
    }

    #[test]
    fn unusable_files_say_why() {
        assert_eq!(parse(b"").unwrap_err(), "import-empty");
        assert_eq!(parse(b"first_name,email\n").unwrap_err(), "import-empty");
        assert_eq!(
            parse(b"city,notes\nSantiago,x\n").unwrap_err(),
            "import-no-columns"
        );
        assert_eq!(
            parse(&[0x66, 0xff, 0xfe, 0x0a]).unwrap_err(),
            "import-not-utf8"
        );
        let mut big = String::from("email\n");
        for i in 0..=MAX_LINES {
            big.push_str(&format!("p{i}@x.do\n"));
        }
        assert_eq!(parse(big.as_bytes()).unwrap_err(), "import-too-many-lines");
    }
}
