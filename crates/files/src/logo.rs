//! Company logos: a JPEG, PNG or WebP checked like a photo, fitted into a
//! letterhead's box and re-encoded as PNG (transparency kept, metadata
//! dropped) for page headers and printed documents.

use std::io::Cursor;

use image::{ImageFormat, imageops::FilterType};

use crate::PhotoError;
use crate::photo::decode;

/// The largest logo upload accepted.
pub const MAX_LOGO_BYTES: usize = 2 * 1024 * 1024;
/// The box a stored logo fits in, in pixels (wider than tall, as logos are);
/// smaller logos keep their size.
const BOX: (u32, u32) = (600, 240);

/// Checks an uploaded logo and answers the PNG to store. CPU-bound: call it
/// off the async workers (`spawn_blocking`).
pub fn process_logo(bytes: &[u8]) -> Result<Vec<u8>, PhotoError> {
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let decoded = decode(bytes)?;
    let fitted = if decoded.width() > BOX.0 || decoded.height() > BOX.1 {
        decoded.resize(BOX.0, BOX.1, FilterType::Triangle)
    } else {
        decoded
    };
    let image = if fitted.color().has_alpha() {
        image::DynamicImage::ImageRgba8(fitted.into_rgba8())
    } else {
        image::DynamicImage::ImageRgb8(fitted.into_rgb8())
    };
    let mut out = Cursor::new(Vec::new());
    image
        .write_to(&mut out, ImageFormat::Png)
        .map_err(|_| PhotoError::NotAnImage)?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::DynamicImage;

    fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
        let image = DynamicImage::ImageRgba8(image::RgbaImage::from_fn(width, height, |x, _| {
            image::Rgba([(x % 256) as u8, 40, 90, 128])
        }));
        let image = if format == ImageFormat::Jpeg {
            DynamicImage::ImageRgb8(image.into_rgb8())
        } else {
            image
        };
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_large_logo_fits_the_box_as_png_with_its_transparency() {
        let png = process_logo(&encoded(1200, 300, ImageFormat::Png)).unwrap();
        assert_eq!(image::guess_format(&png).unwrap(), ImageFormat::Png);
        let stored = image::load_from_memory(&png).unwrap();
        assert_eq!((stored.width(), stored.height()), (600, 150));
        assert!(stored.color().has_alpha());
    }

    #[test]
    fn a_small_jpeg_keeps_its_size() {
        let png = process_logo(&encoded(120, 40, ImageFormat::Jpeg)).unwrap();
        let stored = image::load_from_memory(&png).unwrap();
        assert_eq!((stored.width(), stored.height()), (120, 40));
        assert!(!stored.color().has_alpha());
    }

    #[test]
    fn other_files_and_heavy_ones_are_refused() {
        assert_eq!(
            process_logo(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap_err(),
            PhotoError::NotAnImage
        );
        assert_eq!(
            process_logo(&vec![0u8; MAX_LOGO_BYTES + 1]).unwrap_err(),
            PhotoError::TooLarge
        );
    }
}
