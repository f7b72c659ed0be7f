//! Benchmark baseline: fetch the same Engine API data a scan reads (version, info, every container
//! listed and inspected, every image inspected with its history, networks, volumes) with the same
//! concurrency and nothing else — no conversion, no host probes, no evaluation. `cargo xtask bench`
//! compares a whole `zerodock scan` against this.

use std::time::Instant;

use bollard::Docker;
use bollard::query_parameters::{ListContainersOptionsBuilder, ListImagesOptionsBuilder, ListVolumesOptions};
use futures_util::stream::{self, StreamExt};

const CONCURRENCY: usize = 32;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let docker = Docker::connect_with_local_defaults()?.negotiate_version().await?;
    let (version, info, containers, images, networks, volumes) = tokio::join!(
        docker.version(),
        docker.info(),
        docker.list_containers(Some(ListContainersOptionsBuilder::default().all(true).build())),
        docker.list_images(Some(ListImagesOptionsBuilder::default().build())),
        docker.list_networks(None),
        docker.list_volumes(None::<ListVolumesOptions>),
    );
    let (_, _, _, _) = (version?, info?, networks?, volumes?);
    let ids: Vec<String> = containers?.into_iter().filter_map(|c| c.id).collect();
    let inspected: Vec<_> = stream::iter(&ids)
        .map(|id| docker.inspect_container(id, None))
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let image_ids: Vec<String> = images?.into_iter().map(|i| i.id).collect();
    let image_data: Vec<_> = stream::iter(&image_ids)
        .map(|id| async { (docker.inspect_image(id).await, docker.image_history(id).await) })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let failed = inspected.iter().filter(|r| r.is_err()).count()
        + image_data.iter().filter(|(a, b)| a.is_err() || b.is_err()).count();
    println!(
        "fetched {} containers, {} images in {:.3} s ({failed} failed calls)",
        ids.len(),
        image_ids.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
