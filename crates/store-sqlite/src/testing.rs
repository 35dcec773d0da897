//! For tests: a small filesystem that fills up on demand, to see what a full disk does.

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

/// A tmpfs of a given size mounted at a fresh folder (mounting needs root, as the tests and
/// CI run), unmounted when dropped.
#[derive(Debug)]
pub struct SmallDisk {
    /// Where it is mounted.
    pub dir: PathBuf,
}

impl SmallDisk {
    /// Mounts a tmpfs of `size` (`16m`) for `name`.
    ///
    /// # Panics
    /// When it cannot be mounted: the test then fails, loudly, rather than pass untested.
    #[allow(clippy::panic, clippy::expect_used)]
    pub fn mount(name: &str, size: &str) -> SmallDisk {
        let dir = std::env::temp_dir().join(format!("aftercare-{name}-{}", std::process::id()));
        let _ = Command::new("umount").arg("-l").arg(&dir).status();
        if let Err(e) = std::fs::create_dir_all(&dir) {
            panic!("{}: {e}", dir.display());
        }
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700"), "tmpfs"])
            .arg(&dir)
            .status()
            .expect("the mount command runs");
        assert!(status.success(), "mounting a tmpfs at {} needs root: the disk-full tests run as root", dir.display());
        SmallDisk { dir }
    }

    /// Fills every free byte with one file; removing that file frees the space.
    ///
    /// # Panics
    /// When the file cannot be created.
    #[allow(clippy::panic)]
    pub fn fill(&self) -> PathBuf {
        let path = self.dir.join("filler");
        let mut file = std::fs::File::create(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let block = vec![0u8; 4096];
        while file.write_all(&block).is_ok() {}
        let _ = file.sync_all();
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
