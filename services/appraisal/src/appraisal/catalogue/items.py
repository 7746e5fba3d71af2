"""The service-item catalogue of the satisfaction form (30+ items over the 20 service projects)."""

from __future__ import annotations

#: (code, project, English name, Chinese name)
CATALOGUE: tuple[tuple[str, str, str, str], ...] = (
    ("catering.food_quality", "catering", "Canteen food quality", "食堂饭菜质量"),
    ("catering.variety", "catering", "Canteen menu variety", "食堂菜品花色"),
    ("catering.hygiene", "catering", "Canteen hygiene", "食堂卫生"),
    ("catering.service", "catering", "Canteen staff service", "食堂服务态度"),
    ("conference.setup", "conference", "Meeting-room setup", "会场布置"),
    ("conference.service", "conference", "Conference service", "会务服务"),
    ("security.door_guards", "security", "Door-guard courtesy", "门卫礼仪"),
    ("security.order", "security", "Safety and order on campus", "安全秩序"),
    ("security.parking", "security", "Parking management", "停车管理"),
    ("cleaning.offices", "cleaning", "Cleaning of public areas", "公共区域保洁"),
    ("cleaning.toilets", "cleaning", "Cleaning of toilets", "卫生间保洁"),
    ("maintenance.response", "maintenance", "Repair response time", "报修响应速度"),
    ("maintenance.quality", "maintenance", "Repair quality", "维修质量"),
    ("maintenance.hvac", "maintenance", "Air-conditioning comfort", "空调舒适度"),
    ("smart_building.systems", "smart_building", "Smart-building systems availability", "智能化系统运行"),
    ("smart_building.network", "smart_building", "Network and AV support", "网络及音视频保障"),
    ("landscaping.greenery", "landscaping", "Greenery upkeep", "绿化养护"),
    ("supermarket.goods", "supermarket", "Supermarket goods and prices", "超市商品与价格"),
    ("supermarket.service", "supermarket", "Supermarket service", "超市服务"),
    ("clinic.care", "clinic", "Outpatient care", "医疗门诊诊疗服务"),
    ("print_shop.quality", "print_shop", "Print-shop quality and speed", "文印质量与速度"),
    ("post_office.service", "post_office", "Post-office service", "邮政服务"),
    ("bookstore.service", "bookstore", "Bookstore service", "书店服务"),
    ("gifts.service", "gifts", "Gift-shop service", "礼品服务"),
    ("laundry.quality", "laundry", "Laundry quality", "洗衣质量"),
    ("pastry.quality", "pastry", "Pastry quality", "糕点质量"),
    ("bank.service", "bank", "Bank-branch service", "银行服务"),
    ("publishing.quality", "publishing", "Publishing and printing quality", "出版印刷质量"),
    ("hairdresser.service", "hairdresser", "Beauty and hairdressing service", "美容美发服务"),
    ("car_wash.service", "car_wash", "Car-wash service", "洗车服务"),
    ("business_center.service", "business_center", "Business-center service", "商务中心服务"),
    ("business_center.booking", "business_center", "Business-center booking", "商务中心预订"),
)
