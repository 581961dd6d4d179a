//! Contact photos: only JPEG, PNG and WebP, bounded in bytes and pixels, decoded
//! and re-encoded as JPEG (which drops every metadata block: location, camera,
//! comments) with a square thumbnail.

use std::io::Cursor;

use image::{
    DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, codecs::jpeg::JpegEncoder,
    imageops::FilterType,
};

/// The largest photo upload accepted.
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;
/// The largest side, in pixels, of a stored photo (bigger ones are scaled down).
const STORED_SIDE: u32 = 1024;
/// The side, in pixels, of the square thumbnail.
pub const THUMBNAIL_SIDE: u32 = 160;
/// Larger images are refused before decoding (a small file can hold a huge
/// image): at most this many pixels a side, and in all.
const MAX_SIDE: u32 = 10_000;
const MAX_PIXELS: u64 = 40_000_000;
/// The most memory one decoding may take.
const MAX_ALLOC: u64 = 256 * 1024 * 1024;
/// The most memory one [`process_photo`] holds at once: the decoding and its
/// scaled copies. Callers bound how many run at once by it.
pub const PHOTO_PEAK_BYTES: u64 = MAX_ALLOC + 3 * (STORED_SIDE as u64).pow(2) * 4;
const QUALITY: u8 = 85;

/// Why an upload is not an acceptable photo; each maps to a message for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("the photo is larger than the limit")]
    TooLarge,
    #[error("not a JPEG, PNG or WebP image")]
    NotAnImage,
    #[error("the image is too large in pixels")]
    TooManyPixels,
}

impl PhotoError {
    /// The message id shown on the form field.
    pub fn message(self) -> &'static str {
        match self {
            PhotoError::TooLarge => "photo-too-large",
            PhotoError::NotAnImage => "photo-not-an-image",
            PhotoError::TooManyPixels => "photo-too-many-pixels",
        }
    }
}

/// A photo ready to store: both JPEG.
#[derive(Debug, Clone)]
pub struct Photo {
    pub image: Vec<u8>,
    pub thumbnail: Vec<u8>,
}

/// Checks and re-encodes an uploaded photo. CPU-bound: call it off the async
/// workers (`spawn_blocking`).
pub fn process_photo(bytes: &[u8]) -> Result<Photo, PhotoError> {
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let decoded = decode(bytes)?;
    // Scale down before anything else, so that only the small copy is converted.
    let scaled = if decoded.width() > STORED_SIDE || decoded.height() > STORED_SIDE {
        decoded.resize(STORED_SIDE, STORED_SIDE, FilterType::Triangle)
    } else {
        decoded
    };
    let stored = flatten(scaled);
    let thumbnail = stored.resize_to_fill(THUMBNAIL_SIDE, THUMBNAIL_SIDE, FilterType::Triangle);
    Ok(Photo {
        image: jpeg(&stored)?,
        thumbnail: jpeg(&thumbnail)?,
    })
}

/// An uploaded JPEG, PNG or WebP decoded within the limits (sides, pixels,
/// memory) and turned upright as its metadata says; anything else refused.
/// The caller bounds the bytes.
pub(crate) fn decode(bytes: &[u8]) -> Result<DynamicImage, PhotoError> {
    let format = image::guess_format(bytes).map_err(|_| PhotoError::NotAnImage)?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP
    ) {
        return Err(PhotoError::NotAnImage);
    }
    let bad = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => PhotoError::TooManyPixels,
        _ => PhotoError::NotAnImage,
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(bad)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(PhotoError::TooManyPixels);
    }
    // Phones store pictures as the sensor saw them and say how to turn them.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut decoded = DynamicImage::from_decoder(decoder).map_err(bad)?;
    decoded.apply_orientation(orientation);
    Ok(decoded)
}

/// RGB over a white background (JPEG has no transparency).
fn flatten(image: DynamicImage) -> DynamicImage {
    if !image.color().has_alpha() {
        return DynamicImage::ImageRgb8(image.into_rgb8());
    }
    let rgba = image.into_rgba8();
    let mut rgb = image::RgbImage::new(rgba.width(), rgba.height());
    for (out, px) in rgb.pixels_mut().zip(rgba.pixels()) {
        let [r, g, b, a] = px.0;
        let blend =
            |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        out.0 = [blend(r), blend(g), blend(b)];
    }
    DynamicImage::ImageRgb8(rgb)
}

fn jpeg(image: &DynamicImage) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, QUALITY)
        .encode_image(image)
        .map_err(|_| PhotoError::NotAnImage)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    fn sample(width: u32, height: u32) -> DynamicImage {
        DynamicImage::ImageRgba8(image::RgbaImage::from_fn(width, height, |x, y| {
            image::Rgba([(x % 256) as u8, (y % 256) as u8, 90, 200])
        }))
    }

    #[test]
    fn png_and_webp_become_a_bounded_jpeg_and_a_square_thumbnail() {
        for format in [ImageFormat::Png, ImageFormat::WebP] {
            let photo = process_photo(&encoded(&sample(2000, 1000), format)).unwrap();
            let stored = image::load_from_memory(&photo.image).unwrap();
            assert_eq!(
                image::guess_format(&photo.image).unwrap(),
                ImageFormat::Jpeg
            );
            assert_eq!((stored.width(), stored.height()), (1024, 512));
            let thumb = image::load_from_memory(&photo.thumbnail).unwrap();
            assert_eq!((thumb.width(), thumb.height()), (160, 160));
        }
    }

    #[test]
    fn metadata_is_dropped() {
        // An EXIF block (APP1) that says "upright" and carries a location.
        let with_exif = jpeg_with_exif(40, 30, 1);
        assert!(with_exif.windows(4).any(|w| w == b"Exif"));
        let photo = process_photo(&with_exif).unwrap();
        for out in [&photo.image, &photo.thumbnail] {
            assert!(!out.windows(4).any(|w| w == b"Exif"));
            assert!(!out.windows(3).any(|w| w == b"GPS"));
        }
        let small = image::load_from_memory(&photo.image).unwrap();
        assert_eq!(
            (small.width(), small.height()),
            (40, 30),
            "small photos keep their size"
        );
    }

    /// A JPEG of `width`×`height` with an EXIF block: a TIFF header and one
    /// IFD entry, Orientation (0x0112) = `orientation`, plus a GPS-like comment.
    fn jpeg_with_exif(width: u32, height: u32, orientation: u16) -> Vec<u8> {
        let jpeg = encoded(
            &DynamicImage::ImageRgb8(sample(width, height).into_rgb8()),
            ImageFormat::Jpeg,
        );
        let mut payload = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01".to_vec();
        payload.extend_from_slice(&orientation.to_be_bytes());
        payload.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        payload.extend_from_slice(b"GPS 18.4861 N 69.9312 W");
        let mut with_exif = jpeg[..2].to_vec();
        with_exif.extend_from_slice(&[0xFF, 0xE1]);
        with_exif.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        with_exif.extend_from_slice(&payload);
        with_exif.extend_from_slice(&jpeg[2..]);
        with_exif
    }

    #[test]
    fn a_rotated_phone_photo_is_stored_upright() {
        let photo = process_photo(&jpeg_with_exif(40, 30, 6)).unwrap();
        let stored = image::load_from_memory(&photo.image).unwrap();
        assert_eq!(
            (stored.width(), stored.height()),
            (30, 40),
            "turned a quarter"
        );
    }

    #[test]
    fn other_files_and_oversized_ones_are_refused() {
        assert_eq!(
            process_photo(b"GIF89a....").unwrap_err(),
            PhotoError::NotAnImage
        );
        assert_eq!(
            process_photo(b"%PDF-1.7 hello").unwrap_err(),
            PhotoError::NotAnImage
        );
        let png = encoded(&sample(4, 4), ImageFormat::Png);
        let mut truncated = png.clone();
        truncated.truncate(png.len() / 2);
        assert_eq!(
            process_photo(&truncated).unwrap_err(),
            PhotoError::NotAnImage
        );
        let big = vec![0u8; MAX_PHOTO_BYTES + 1];
        assert_eq!(process_photo(&big).unwrap_err(), PhotoError::TooLarge);
        // A real image, small in bytes, wider than any photo may be.
        let lying = encoded(&sample(MAX_SIDE + 1, 1), ImageFormat::Png);
        assert!(lying.len() < MAX_PHOTO_BYTES);
        assert_eq!(
            process_photo(&lying).unwrap_err(),
            PhotoError::TooManyPixels
        );
        // Within the side limit but too many pixels in all.
        let lying = encoded(&sample(9_000, 5_000), ImageFormat::Png);
        assert_eq!(
            process_photo(&lying).unwrap_err(),
            PhotoError::TooManyPixels
        );
    }
}
