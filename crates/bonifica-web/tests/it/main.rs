//! Integration tests of the embedded browser app: the router answers as a browser and the
//! server expect, in-process through `oneshot`.

mod serve;
