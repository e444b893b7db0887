//! The in-order half of the replay: [`Admission`] takes decoded entries
//! with their signature verdicts, in seq order, through the gate
//! (`State::genesis`, `State::admit_checked`) and keeps the state so far and
//! the first failure. It never reads the store and never checks a
//! signature itself.

use std::ops::ControlFlow;

use accord_core::{Sealed, State};

use super::report::{Decoded, Failure};
use super::spill::Spill;

/// The state after the last good entry, and the first failure if any.
pub(crate) struct Folded {
    pub(crate) state: Option<State>,
    pub(crate) failure: Option<Failure>,
}

/// The in-order half of the replay: the state so far and the first failure.
pub(crate) struct Admission<T, V> {
    state: Option<State>,
    failure: Option<Failure>,
    take: T,
    visit: V,
    /// Where item records wait between chunks when the caller needs only
    /// the verdict, keeping memory flat however many items the ledger has.
    spill: Option<Spill>,
}

impl<T: FnMut(&Sealed) -> bool, V: FnMut(&Sealed, &State)> Admission<T, V> {
    pub(crate) fn new(take: T, visit: V, spill: bool) -> Self {
        Admission {
            state: None,
            failure: None,
            take,
            visit,
            spill: spill.then(Spill::new),
        }
    }

    /// Admits a chunk's entries in order; breaks at the first bad entry or
    /// the first one `take` refuses.
    pub(crate) fn apply(&mut self, chunk: Vec<Decoded>, signatures: Vec<bool>) -> ControlFlow<()> {
        let flow = self.admit_all(chunk, signatures);
        let Some(spill) = self.spill.as_mut() else {
            return flow;
        };
        if let Some(state) = self.state.take() {
            let seq = state.head().seq + 1;
            match spill.store(state) {
                Ok(state) => self.state = Some(state),
                Err(e) => {
                    self.failure.get_or_insert(Failure::unchecked(
                        seq,
                        format!("verification stopped: {e}"),
                    ));
                    return ControlFlow::Break(());
                }
            }
        }
        flow
    }

    fn admit_all(&mut self, chunk: Vec<Decoded>, signatures: Vec<bool>) -> ControlFlow<()> {
        for (entry, signature_ok) in chunk.into_iter().zip(signatures) {
            let admitted = entry.and_then(|entry| {
                if entry.seq() > 0 && !(self.take)(&entry) {
                    return Ok(None);
                }
                let seq = entry.seq();
                match self.state.as_mut() {
                    None => {
                        self.state = Some(
                            State::genesis(&entry)
                                .map_err(|v| Failure::invalid(seq, v.to_string()))?,
                        )
                    }
                    Some(s) => {
                        if let Some(spill) = self.spill.as_mut() {
                            spill
                                .load(s, entry.entry.body.event.touches())
                                .map_err(|e| {
                                    Failure::unchecked(seq, format!("verification stopped: {e}"))
                                })?;
                        }
                        s.admit_checked(&entry, signature_ok)
                            .map_err(|v| Failure::invalid(seq, v.to_string()))?
                    }
                }
                Ok(Some(entry))
            });
            match admitted {
                Ok(Some(entry)) => {
                    if let Some(state) = &self.state {
                        (self.visit)(&entry, state)
                    }
                }
                Ok(None) => return ControlFlow::Break(()),
                Err(failure) => {
                    self.failure = Some(failure);
                    return ControlFlow::Break(());
                }
            }
        }
        ControlFlow::Continue(())
    }

    /// Ends the replay with an internal failure at the next entry, so that
    /// nothing after it is reported verified.
    pub(crate) fn abort(mut self, reason: &str) -> Folded {
        let seq = self.state.as_ref().map_or(0, |s| s.head().seq + 1);
        self.failure.get_or_insert(Failure::unchecked(seq, reason));
        self.finish()
    }

    pub(crate) fn finish(self) -> Folded {
        Folded {
            state: self.state,
            failure: self.failure,
        }
    }
}
