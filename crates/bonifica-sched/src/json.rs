//! JSON instance format (to be written).
