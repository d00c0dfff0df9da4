//! The dashboard at `/`: a server-rendered page, its embedded assets, and the JSON twins
//! under `/__admin` that it reads (the page shows only what the admin API answers).

pub mod assets;
