//! The `--output` file: written in full to a temporary file next to it,
//! which then takes its place in one rename, so that the file is never
//! seen half-written and a failed export leaves it as it was.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// A file being replaced (or extended) atomically. Dropped without
/// [`commit`](Self::commit), it removes its temporary file and leaves the
/// target untouched.
pub struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    out: BufWriter<File>,
    /// Bytes the target held when appending to it (0 when replacing).
    existing_len: u64,
    committed: bool,
}

/// How many temporary names to try before giving up: others may be
/// writing next to the same target.
const TEMP_NAME_ATTEMPTS: u32 = 100;

/// Mode of a new file: exports hold personal data.
#[cfg(unix)]
const NEW_FILE_MODE: u32 = 0o600;

impl AtomicFile {
    /// Opens a temporary file next to `target`; with `append`, it starts as
    /// a copy of `target` (when there is one). `target` must be a regular
    /// file if it exists: a device or pipe cannot be replaced.
    pub fn open(target: &Path, append: bool) -> io::Result<Self> {
        let existing = match fs::metadata(target) {
            Ok(metadata) => Some(metadata),
            Err(error) if error.kind() == io::ErrorKind::NotFound => None,
            Err(error) => return Err(error),
        };
        if let Some(metadata) = &existing
            && !metadata.is_file()
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "it is not a regular file (write to devices and pipes with `>` instead)",
            ));
        }
        // A symbolic link is followed: the file it names is the one replaced.
        let target = if existing.is_some() {
            fs::canonicalize(target)?
        } else {
            target.to_path_buf()
        };
        let (temp, file) = create_temp_next_to(&target)?;
        let mut atomic = Self {
            target,
            temp,
            out: BufWriter::new(file),
            existing_len: 0,
            committed: false,
        };
        if let Some(metadata) = existing {
            // An existing file keeps the permissions its owner gave it.
            fs::set_permissions(&atomic.temp, metadata.permissions())?;
            if append {
                let mut original = File::open(&atomic.target)?;
                atomic.existing_len = io::copy(&mut original, atomic.out.get_mut())?;
            }
        }
        Ok(atomic)
    }

    /// The first `len` bytes the file held before this command (fewer when
    /// it held fewer), for checks before anything is written.
    pub fn existing_head(&mut self, len: u64) -> io::Result<Vec<u8>> {
        let mut head = Vec::new();
        self.read_existing(0, len, &mut head)?;
        Ok(head)
    }

    /// The last byte the file held before this command, if any.
    pub fn existing_last_byte(&mut self) -> io::Result<Option<u8>> {
        let Some(last) = self.existing_len.checked_sub(1) else {
            return Ok(None);
        };
        let mut byte = Vec::new();
        self.read_existing(last, 1, &mut byte)?;
        Ok(byte.first().copied())
    }

    /// Reads back what was copied from the target, then returns to the end,
    /// where writing goes on.
    fn read_existing(&mut self, from: u64, len: u64, into: &mut Vec<u8>) -> io::Result<()> {
        self.out.flush()?;
        let file = self.out.get_mut();
        file.seek(SeekFrom::Start(from))?;
        let len = len.min(self.existing_len.saturating_sub(from));
        let read = (&mut *file).take(len).read_to_end(into);
        file.seek(SeekFrom::End(0))?;
        read.map(drop)
    }

    /// Puts everything written in place of the target, in one rename.
    pub fn commit(mut self) -> io::Result<()> {
        self.out.flush()?;
        self.out.get_ref().sync_all()?;
        fs::rename(&self.temp, &self.target)?;
        self.committed = true;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.committed {
            // Nothing more can be done about a temporary file that will not
            // go away; the target is untouched either way.
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// A new, empty temporary file in `target`'s directory (a rename only
/// replaces files atomically within one file system).
fn create_temp_next_to(target: &Path) -> io::Result<(PathBuf, File)> {
    let directory = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "it names no file"))?;
    let mut last_error = None;
    for attempt in 0..TEMP_NAME_ATTEMPTS {
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".{}-{attempt}.tmp", std::process::id()));
        let temp = directory.join(temp_name);
        let mut options = OpenOptions::new();
        options.read(true).write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, NEW_FILE_MODE);
        match options.open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => last_error = Some(error),
            Err(error) => return Err(error),
        }
    }
    Err(last_error.unwrap_or_else(|| io::Error::other("no temporary file name was free")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory for one test, removed at the end.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Self {
            let path = std::env::temp_dir().join(format!(
                "didit-cli-{name}-{}-{}",
                std::process::id(),
                unique_suffix()
            ));
            fs::create_dir_all(&path).unwrap();
            Self(path)
        }

        fn entries(&self) -> Vec<String> {
            let mut names: Vec<String> = fs::read_dir(&self.0)
                .unwrap()
                .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    /// Distinct directories for tests that run at once.
    fn unique_suffix() -> u64 {
        use std::time::{SystemTime, UNIX_EPOCH};
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |now| now.as_nanos() as u64)
    }

    #[test]
    fn the_target_changes_only_on_commit() {
        let scratch = Scratch::new("commit");
        let target = scratch.0.join("out.csv");
        fs::write(&target, "old\n").unwrap();
        let mut file = AtomicFile::open(&target, false).unwrap();
        file.write_all(b"new\n").unwrap();
        file.flush().unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "old\n");
        assert_eq!(scratch.entries().len(), 2, "{:?}", scratch.entries());
        file.commit().unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new\n");
        assert_eq!(scratch.entries(), ["out.csv"]);
    }

    #[test]
    fn a_dropped_file_leaves_the_target_and_no_temporary_file() {
        let scratch = Scratch::new("drop");
        let target = scratch.0.join("out.ndjson");
        fs::write(&target, "old\n").unwrap();
        {
            let mut file = AtomicFile::open(&target, true).unwrap();
            file.write_all(b"new\n").unwrap();
            file.flush().unwrap();
        }
        assert_eq!(fs::read_to_string(&target).unwrap(), "old\n");
        assert_eq!(scratch.entries(), ["out.ndjson"]);
        // A new target is not created either.
        drop(AtomicFile::open(&scratch.0.join("new.ndjson"), false).unwrap());
        assert_eq!(scratch.entries(), ["out.ndjson"]);
    }

    #[test]
    fn appending_keeps_what_was_there_and_can_read_it_first() {
        let scratch = Scratch::new("append");
        let target = scratch.0.join("out.ndjson");
        fs::write(&target, "{\"a\":1}\n").unwrap();
        let mut file = AtomicFile::open(&target, true).unwrap();
        assert_eq!(file.existing_last_byte().unwrap(), Some(b'\n'));
        assert_eq!(file.existing_head(3).unwrap(), b"{\"a");
        assert_eq!(file.existing_head(100).unwrap(), b"{\"a\":1}\n");
        file.write_all(b"{\"b\":2}\n").unwrap();
        file.commit().unwrap();
        assert_eq!(
            fs::read_to_string(&target).unwrap(),
            "{\"a\":1}\n{\"b\":2}\n"
        );
        let mut empty = AtomicFile::open(&scratch.0.join("none.ndjson"), true).unwrap();
        assert_eq!(empty.existing_head(10).unwrap(), b"");
        assert_eq!(empty.existing_last_byte().unwrap(), None);
    }

    #[cfg(unix)]
    #[test]
    fn new_files_are_private_and_existing_ones_keep_their_mode() {
        use std::os::unix::fs::PermissionsExt;
        let scratch = Scratch::new("mode");
        let new = scratch.0.join("new.csv");
        let mut file = AtomicFile::open(&new, false).unwrap();
        file.write_all(b"x\n").unwrap();
        file.commit().unwrap();
        let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&new), 0o600);

        let shared = scratch.0.join("shared.csv");
        fs::write(&shared, "old\n").unwrap();
        fs::set_permissions(&shared, fs::Permissions::from_mode(0o640)).unwrap();
        let mut file = AtomicFile::open(&shared, false).unwrap();
        file.write_all(b"new\n").unwrap();
        file.commit().unwrap();
        assert_eq!(mode(&shared), 0o640);
    }

    #[test]
    fn a_directory_is_not_a_target() {
        let scratch = Scratch::new("directory");
        let error = AtomicFile::open(&scratch.0, false).err().unwrap();
        assert!(error.to_string().contains("not a regular file"), "{error}");
        assert!(scratch.entries().is_empty());
    }
}
