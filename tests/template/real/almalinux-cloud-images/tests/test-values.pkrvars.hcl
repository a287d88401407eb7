# DigitalOcean
do_api_token = "foo"
do_spaces_key = "foo"
do_spaces_secret = "foo"
do_spaces_region = "foo"
do_space_name = "foo"
do_image_name_8 = "foo"
do_image_name_9 = "foo"
do_image_regions = ["foo", "bar"]
