//! Bounded admission for expensive work (password hashing): at most `workers` run at once, at most
//! `queue` more wait, and everyone past that is told at once to come back (503 with Retry-After),
//! so a burst of sign-ins can neither exhaust memory nor starve the rest of the console.
use crate::error::{AppError, AppResult};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

#[derive(Clone, Debug)]
pub struct Gate {
    admitted: Arc<Semaphore>,
    workers: Arc<Semaphore>,
    max_wait: Duration,
}

impl Gate {
    pub fn new(workers: usize, queue: usize, max_wait: Duration) -> Self {
        let workers = workers.max(1);
        Self {
            admitted: Arc::new(Semaphore::new(workers + queue)),
            workers: Arc::new(Semaphore::new(workers)),
            max_wait,
        }
    }

    /// One worker per core and a short queue: what a password hash needs on this machine.
    pub fn for_password_hashing() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self::new(cores, 16 * cores, Duration::from_secs(5))
    }

    /// Runs `work` once a worker is free; refuses with `Busy` when the queue is full or the wait
    /// would be longer than `max_wait`.
    pub async fn run<T, F>(&self, work: F) -> AppResult<T>
    where
        F: Future<Output = AppResult<T>>,
    {
        let Ok(_admitted) = self.admitted.try_acquire() else {
            tracing::warn!("password work refused: queue full");
            return Err(AppError::Busy(1));
        };
        let Ok(Ok(_worker)) = tokio::time::timeout(self.max_wait, self.workers.acquire()).await
        else {
            tracing::warn!("password work refused: waited too long");
            return Err(AppError::Busy(1));
        };
        work.await
    }
}

impl Default for Gate {
    fn default() -> Self {
        Self::for_password_hashing()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn past_workers_and_queue_callers_are_refused_with_busy() {
        let gate = Gate::new(1, 1, Duration::from_secs(5));
        let (release, wait) = tokio::sync::oneshot::channel::<()>();
        let running = tokio::spawn({
            let gate = gate.clone();
            async move {
                gate.run(async {
                    let _ = wait.await;
                    Ok(1)
                })
                .await
            }
        });
        tokio::task::yield_now().await;
        let queued = tokio::spawn({
            let gate = gate.clone();
            async move { gate.run(async { Ok(2) }).await }
        });
        tokio::task::yield_now().await;
        assert_eq!(gate.run(async { Ok(3) }).await, Err(AppError::Busy(1)));
        release.send(()).unwrap();
        assert_eq!(running.await.unwrap(), Ok(1));
        assert_eq!(queued.await.unwrap(), Ok(2));
        assert_eq!(gate.run(async { Ok(4) }).await, Ok(4));
    }

    #[tokio::test]
    async fn a_wait_longer_than_the_bound_is_refused() {
        let gate = Gate::new(1, 4, Duration::from_millis(20));
        let _held = gate.workers.clone().acquire_owned().await.unwrap();
        assert_eq!(gate.run(async { Ok(()) }).await, Err(AppError::Busy(1)));
    }
}
