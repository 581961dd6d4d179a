//! The file store: bytes under keys that always start with the owning tenant's
//! id, so no code path can name another tenant's file.

use std::{path::Path, sync::Arc};

use bytes::Bytes;
use object_store::{
    ObjectStore, ObjectStoreExt, PutPayload, local::LocalFileSystem, path::Path as StorePath,
};
use uuid::Uuid;

/// What can go wrong storing or reading a file.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("file not found")]
    NotFound,
    #[error("file store: {0}")]
    Store(#[from] object_store::Error),
    #[error("file store directory {0}: {1}")]
    Directory(String, std::io::Error),
}

/// Where one file lives: `tenants/<tenant>/<kind>/<id><suffix>`. Built only from
/// ids and fixed names, never from user input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileKey(StorePath);

impl FileKey {
    /// The key of file `id` of the given kind (e.g. `photos`) in a tenant.
    pub fn new(tenant: Uuid, kind: &'static str, id: Uuid, suffix: &'static str) -> Self {
        Self(StorePath::from(format!(
            "tenants/{tenant}/{kind}/{id}{suffix}"
        )))
    }

    /// The key of a shared document's version file `file` in a tenant.
    pub fn document(tenant: Uuid, file: Uuid) -> Self {
        Self::new(tenant, "documents", file, "")
    }

    /// The key of a file sent with a service request (or in its thread).
    pub fn attachment(tenant: Uuid, file: Uuid) -> Self {
        Self::new(tenant, "attachments", file, "")
    }

    pub fn as_str(&self) -> &str {
        self.0.as_ref()
    }
}

/// The shared file store; cheap to clone.
#[derive(Clone)]
pub struct FileStore {
    inner: Arc<dyn ObjectStore>,
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileStore({})", self.inner)
    }
}

impl FileStore {
    /// A store in a local directory, created when missing.
    pub fn local(dir: &Path) -> Result<Self, FileError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| FileError::Directory(dir.display().to_string(), e))?;
        let fs = LocalFileSystem::new_with_prefix(dir)?;
        Ok(Self {
            inner: Arc::new(fs),
        })
    }

    /// Stores `bytes` under `key`, replacing what was there.
    pub async fn put(&self, key: &FileKey, bytes: Bytes) -> Result<(), FileError> {
        self.inner
            .put(&key.0, PutPayload::from_bytes(bytes))
            .await?;
        Ok(())
    }

    /// The bytes under `key`.
    pub async fn get(&self, key: &FileKey) -> Result<Bytes, FileError> {
        match self.inner.get(&key.0).await {
            Ok(result) => Ok(result.bytes().await?),
            Err(object_store::Error::NotFound { .. }) => Err(FileError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes `key`; a missing file is not an error. Failures are logged, not
    /// returned: a leftover file is harmless, a failed request over it is not.
    pub async fn remove(&self, key: &FileKey) {
        match self.inner.delete(&key.0).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => {
                tracing::warn!(key = key.as_str(), error = %e, "could not remove a stored file")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn put_get_remove_under_the_tenant_prefix() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::local(&dir.path().join("files")).unwrap();
        let (tenant, id) = (Uuid::now_v7(), Uuid::now_v7());
        let key = FileKey::new(tenant, "photos", id, ".jpg");
        assert_eq!(key.as_str(), format!("tenants/{tenant}/photos/{id}.jpg"));
        assert!(matches!(store.get(&key).await, Err(FileError::NotFound)));
        store.put(&key, Bytes::from_static(b"abc")).await.unwrap();
        assert_eq!(store.get(&key).await.unwrap(), Bytes::from_static(b"abc"));
        assert!(
            dir.path()
                .join(format!("files/tenants/{tenant}/photos/{id}.jpg"))
                .exists()
        );
        store.remove(&key).await;
        store.remove(&key).await;
        assert!(matches!(store.get(&key).await, Err(FileError::NotFound)));
    }
}
