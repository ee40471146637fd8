//! [`Few`]: a sequence that is usually one item long, held without allocating then.
//!
//! A command's events and a source image's snapshots are almost always one item each;
//! collecting them in a `Vec` would cost an allocation (and its free) on every command.

/// A sequence whose first item is held inline and the others in a `Vec` (which allocates
/// only from the second item on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Few<T> {
    first: Option<T>,
    rest: Vec<T>,
}

impl<T> Default for Few<T> {
    fn default() -> Self {
        Few {
            first: None,
            rest: Vec::new(),
        }
    }
}

impl<T> Few<T> {
    /// Appends `item`.
    pub(crate) fn push(&mut self, item: T) {
        if self.first.is_none() {
            self.first = Some(item);
        } else {
            self.rest.push(item);
        }
    }

    /// How many items.
    pub(crate) fn len(&self) -> usize {
        usize::from(self.first.is_some()) + self.rest.len()
    }

    /// Whether there are none.
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The items, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.first.iter().chain(&self.rest)
    }
}

impl<T> From<T> for Few<T> {
    fn from(item: T) -> Self {
        Few {
            first: Some(item),
            rest: Vec::new(),
        }
    }
}

impl<T> From<Vec<T>> for Few<T> {
    fn from(items: Vec<T>) -> Self {
        items.into_iter().collect()
    }
}

impl<T> FromIterator<T> for Few<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        let mut items = items.into_iter();
        Few {
            first: items.next(),
            rest: items.collect(),
        }
    }
}

impl<T> IntoIterator for Few<T> {
    type Item = T;
    type IntoIter = std::iter::Chain<std::option::IntoIter<T>, std::vec::IntoIter<T>>;

    fn into_iter(self) -> Self::IntoIter {
        self.first.into_iter().chain(self.rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_count() {
        for n in 0..5 {
            let items: Vec<u32> = (0..n).collect();
            let mut pushed = Few::default();
            for &i in &items {
                pushed.push(i);
            }
            let collected: Few<u32> = items.iter().copied().collect();
            assert_eq!(pushed, collected);
            assert_eq!(pushed, Few::from(items.clone()));
            assert_eq!(pushed.len(), items.len());
            assert_eq!(pushed.iter().copied().collect::<Vec<_>>(), items);
            assert_eq!(pushed.into_iter().collect::<Vec<_>>(), items);
        }
        assert_eq!(Few::from(7).len(), 1);
    }
}
