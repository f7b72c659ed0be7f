//! The whole step for every image in use, cached by image id.
